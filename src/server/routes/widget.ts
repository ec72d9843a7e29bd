import { createHash } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { widgetConfigQuerySchema, widgetConfigResponseSchema, type WidgetConfig } from '../../shared/api/index.ts';
import type { AppDeps } from '../deps.ts';
import { ok } from '../envelope.ts';
import { ApiError } from '../errors.ts';
import { findShopByShopUid } from '../services/shops.ts';
import { errorResponses } from './common.ts';

/**
 * Public widget endpoints — mounted under /api/v1/shop/widget. No token; CORS open (set in app.ts
 * for the whole prefix); `Cache-Control: public, max-age=60`, ETag and 304.
 */
export const widgetRoutes: FastifyPluginAsyncZod<AppDeps> = async (app, deps) => {
  app.get(
    '/config',
    {
      schema: {
        tags: ['widget'],
        summary: 'Public chat configuration of a shop (org, workgroup, chat URL, mini-program paths)',
        querystring: widgetConfigQuerySchema,
        response: { 200: widgetConfigResponseSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const shop = await findShopByShopUid(deps.db, request.query.shopUid);
      if (!shop || !shop.enabled) throw new ApiError(404, `shop not found: ${request.query.shopUid}`);
      const wg = await deps.db
        .selectFrom('workgroups')
        .select('uid')
        .where('shop_uid', '=', shop.uid)
        .where('enabled', '=', 1)
        .orderBy('created_at')
        .executeTakeFirst();
      if (!wg) throw new ApiError(404, `shop not found: ${request.query.shopUid}`);
      const data: WidgetConfig = {
        org: shop.orgUid,
        sid: wg.uid,
        t: 1,
        chatUrl: deps.config.chatUrl,
        goodsDetailPath: deps.config.goodsDetailPath,
        orderDetailPath: deps.config.orderDetailPath,
        shop: { name: shop.name, logo: shop.logo },
      };
      const body = ok(data);
      const etag = `"${createHash('sha256').update(JSON.stringify(body)).digest('base64url').slice(0, 27)}"`;
      reply.header('cache-control', 'public, max-age=60');
      reply.header('etag', etag);
      const inm = request.headers['if-none-match'];
      if (inm && inm.split(',').some((t) => t.trim().replace(/^W\//, '') === etag || t.trim() === '*')) {
        return (reply as FastifyReply).code(304).send();
      }
      return body;
    },
  );
};
