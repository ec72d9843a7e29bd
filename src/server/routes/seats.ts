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
import { ok } from '../envelope.ts';
import { seatNumbers } from '../services/seats.ts';
import { errorResponses, shopOr404, type OpenApiRoutesOptions } from './common.ts';

/** Agent seats, driven by shopUid — mounted under /api/v1/shop/open. */
export const seatRoutes: FastifyPluginAsyncZod<OpenApiRoutesOptions> = async (app, { auth, openApi }) => {
  const tags = ['agent-seat'];
  const security = [{ bearerAuth: [] }];
  const onRequest = auth.requireToken;
  const shopFor = async (principal: Principal, shopUid: string) => {
    const shop = await shopOr404(openApi, shopUid);
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
      return ok(await openApi.querySeats(shop, request.body.pageNumber, request.body.pageSize));
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
      return ok(await openApi.getSeat(shop, request.query.seatNo));
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
      return ok(await openApi.createSeats(shop, seatNumbers(request.body), request.body.expireAt));
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
      return ok(await openApi.updateSeats(shop, seatNumbers(request.body), request.body.expireAt));
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
      return ok(await openApi.deleteSeats(shop, seatNumbers(request.body)));
    },
  );
};
