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
import { ok } from '../envelope.ts';
import { ApiError } from '../errors.ts';
import { errorResponses, shopOr404, type OpenApiRoutesOptions } from './common.ts';

/** Onboard, binding, update, vip-level — mounted under /api/v1/shop/open. */
export const shopRoutes: FastifyPluginAsyncZod<OpenApiRoutesOptions> = async (app, { auth, openApi }) => {
  const tags = ['shop'];

  app.post(
    '/onboard',
    {
      onRequest: auth.requireAdmin,
      schema: {
        tags,
        summary: 'Onboard a shop by mobile number (admin only)',
        security: [{ bearerAuth: [] }],
        body: onboardRequestSchema,
        response: { 200: onboardResponseSchema, ...errorResponses },
      },
    },
    async (request) => ok(await openApi.onboard(request.body)),
  );

  app.get(
    '/binding',
    {
      onRequest: auth.requireToken,
      schema: {
        tags,
        summary: 'Binding of a shop: organisation, workgroups, agents, seats',
        security: [{ bearerAuth: [] }],
        querystring: bindingQuerySchema,
        response: { 200: bindingResponseSchema, ...errorResponses },
      },
    },
    async (request) => {
      const found = await openApi.binding(request.query.shopUid, (shop) => assertShopAccess(request.principal, shop));
      if (!found) throw new ApiError(404, `shop not found: ${request.query.shopUid}`);
      return ok({ shopUid: found.shop.shopUid, shop: found.view });
    },
  );

  app.post(
    '/update',
    {
      onRequest: auth.requireToken,
      schema: {
        tags,
        summary: 'Update shop name and/or logo',
        security: [{ bearerAuth: [] }],
        body: shopUpdateRequestSchema,
        response: { 200: shopResponseSchema, ...errorResponses },
      },
    },
    async (request) => {
      const shop = await shopOr404(openApi, request.body.shopUid);
      assertShopAccess(request.principal, shop);
      return ok(await openApi.update(shop, request.body));
    },
  );

  app.post(
    '/shop/vip-level',
    {
      onRequest: auth.requireAdmin,
      schema: {
        tags,
        summary: 'Set VIP level and organisation capacity (admin only)',
        security: [{ bearerAuth: [] }],
        body: vipLevelRequestSchema,
        response: { 200: shopResponseSchema, ...errorResponses },
      },
    },
    async (request) => {
      const shop = await shopOr404(openApi, request.body.shopUid);
      return ok(await openApi.setVipLevel(shop, request.body));
    },
  );
};
