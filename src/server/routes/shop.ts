import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  bindingQuerySchema,
  bindingResponseSchema,
  onboardRequestSchema,
  onboardResponseSchema,
  shopResponseSchema,
  shopUpdateRequestSchema,
  vipLevelRequestSchema,
} from '../../shared/api/index.ts';
import { assertShopAccess } from '../auth.ts';
import { serviceContext, type AppDeps } from '../deps.ts';
import { ok } from '../envelope.ts';
import { ApiError } from '../errors.ts';
import { getShopOr404, loadShopWithView, onboard, setVipLevel, updateShop } from '../services/shops.ts';
import { errorResponses } from './common.ts';

/** Onboard, binding, update, vip-level — mounted under /api/v1/shop/open. */
export const shopRoutes: FastifyPluginAsyncZod<AppDeps> = async (app, deps) => {
  const ctx = serviceContext(deps);
  const tags = ['shop'];

  app.post(
    '/onboard',
    {
      onRequest: deps.auth.requireAdmin,
      schema: {
        tags,
        summary: 'Onboard a shop by mobile number (admin only)',
        security: [{ bearerAuth: [] }],
        body: onboardRequestSchema,
        response: { 200: onboardResponseSchema, ...errorResponses },
      },
    },
    async (request) => ok(await onboard(ctx, request.body)),
  );

  app.get(
    '/binding',
    {
      onRequest: deps.auth.requireToken,
      schema: {
        tags,
        summary: 'Binding of a shop: organisation, workgroups, agents, seats',
        security: [{ bearerAuth: [] }],
        querystring: bindingQuerySchema,
        response: { 200: bindingResponseSchema, ...errorResponses },
      },
    },
    async (request) => {
      const found = await loadShopWithView(deps.db, request.query.shopUid, ctx.timezone, ctx.now());
      if (!found) throw new ApiError(404, `shop not found: ${request.query.shopUid}`);
      assertShopAccess(request.principal, found.shop);
      return ok({ shopUid: found.shop.shopUid, shop: found.view });
    },
  );

  app.post(
    '/update',
    {
      onRequest: deps.auth.requireToken,
      schema: {
        tags,
        summary: 'Update shop name and/or logo',
        security: [{ bearerAuth: [] }],
        body: shopUpdateRequestSchema,
        response: { 200: shopResponseSchema, ...errorResponses },
      },
    },
    async (request) => {
      const shop = await getShopOr404(deps.db, request.body.shopUid);
      assertShopAccess(request.principal, shop);
      return ok(await updateShop(ctx, shop, request.body));
    },
  );

  app.post(
    '/shop/vip-level',
    {
      onRequest: deps.auth.requireAdmin,
      schema: {
        tags,
        summary: 'Set VIP level and organisation capacity (admin only)',
        security: [{ bearerAuth: [] }],
        body: vipLevelRequestSchema,
        response: { 200: shopResponseSchema, ...errorResponses },
      },
    },
    async (request) => {
      const shop = await getShopOr404(deps.db, request.body.shopUid);
      return ok(await setVipLevel(ctx, shop, request.body));
    },
  );
};
