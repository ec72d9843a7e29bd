import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  booleanResponseSchema,
  seatCreateRequestSchema,
  seatDeleteRequestSchema,
  seatDetailQuerySchema,
  seatListResponseSchema,
  seatPageResponseSchema,
  seatQueryRequestSchema,
  seatResponseSchema,
  seatUpdateRequestSchema,
} from '../../shared/api/index.ts';
import { assertShopAccess, type Principal } from '../auth.ts';
import { serviceContext, type AppDeps } from '../deps.ts';
import { ok } from '../envelope.ts';
import { createSeats, deleteSeats, getSeat, querySeats, seatNumbers, updateSeats } from '../services/seats.ts';
import { getShopOr404 } from '../services/shops.ts';
import { errorResponses } from './common.ts';

/** Agent seats, driven by shopUid — mounted under /api/v1/shop/open. */
export const seatRoutes: FastifyPluginAsyncZod<AppDeps> = async (app, deps) => {
  const ctx = serviceContext(deps);
  const tags = ['agent-seat'];
  const security = [{ bearerAuth: [] }];
  const onRequest = deps.auth.requireToken;
  const shopFor = async (principal: Principal, shopUid: string) => {
    const shop = await getShopOr404(deps.db, shopUid);
    assertShopAccess(principal, shop);
    return shop;
  };

  app.post(
    '/agent-seat/query',
    {
      onRequest,
      schema: {
        tags,
        security,
        summary: 'Page of the live seats of a shop',
        body: seatQueryRequestSchema,
        response: { 200: seatPageResponseSchema, ...errorResponses },
      },
    },
    async (request) => {
      const shop = await shopFor(request.principal, request.body.shopUid);
      return ok(await querySeats(ctx, shop, request.body.pageNumber, request.body.pageSize));
    },
  );

  app.get(
    '/agent-seat/detail',
    {
      onRequest,
      schema: {
        tags,
        security,
        summary: 'One seat by shopUid + seatNo',
        querystring: seatDetailQuerySchema,
        response: { 200: seatResponseSchema, ...errorResponses },
      },
    },
    async (request) => {
      const shop = await shopFor(request.principal, request.query.shopUid);
      return ok(await getSeat(ctx, shop, request.query.seatNo));
    },
  );

  app.post(
    '/agent-seat/create',
    {
      onRequest,
      schema: {
        tags,
        security,
        summary: 'Create extra seats (seatNo unique per organisation among live seats; duplicate is 409)',
        body: seatCreateRequestSchema,
        response: { 200: seatListResponseSchema, ...errorResponses },
      },
    },
    async (request) => {
      const shop = await shopFor(request.principal, request.body.shopUid);
      return ok(await createSeats(ctx, shop, seatNumbers(request.body), request.body.expireAt));
    },
  );

  app.post(
    '/agent-seat/update',
    {
      onRequest,
      schema: {
        tags,
        security,
        summary: 'Set expireAt of existing seats',
        body: seatUpdateRequestSchema,
        response: { 200: seatListResponseSchema, ...errorResponses },
      },
    },
    async (request) => {
      const shop = await shopFor(request.principal, request.body.shopUid);
      return ok(await updateSeats(ctx, shop, seatNumbers(request.body), request.body.expireAt));
    },
  );

  app.post(
    '/agent-seat/delete',
    {
      onRequest,
      schema: {
        tags,
        security,
        summary: 'Soft-delete seats',
        body: seatDeleteRequestSchema,
        response: { 200: booleanResponseSchema, ...errorResponses },
      },
    },
    async (request) => {
      const shop = await shopFor(request.principal, request.body.shopUid);
      return ok(await deleteSeats(ctx, shop, seatNumbers(request.body)));
    },
  );
};
