// GET /api/v1/shop/widget/goods?shopUid=&goodsUid= — public: a GoodsInfo card built from the
// connected platform's product data (FKW's product API), cached with a TTL, public fields only.
// There is deliberately no public order lookup (orders hold addresses and phone numbers).
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { envelope } from '../../shared/api/envelope.ts';
import { WidgetGoodsCard, WidgetGoodsQuery } from '../../shared/store/api.ts';
import { ok } from '../envelope.ts';
import { ApiError } from '../errors.ts';
import type { OpenApiBackend } from '../open-api/backend.ts';
import { errorResponses } from '../routes/common.ts';
import type { StoreService } from './service.ts';

export interface WidgetGoodsOptions {
  openApi: OpenApiBackend;
  store: StoreService;
}

export const widgetGoodsRoutes: FastifyPluginAsyncZod<WidgetGoodsOptions> = async (app, { openApi, store: service }) => {
  app.get(
    '/goods',
    {
      schema: {
        tags: ['widget'],
        summary: "Public product card (GoodsInfo) from the shop's connected store platform",
        querystring: WidgetGoodsQuery,
        response: { 200: envelope(WidgetGoodsCard), ...errorResponses },
      },
    },
    async (request, reply) => {
      const { shopUid, goodsUid } = request.query;
      const shop = await openApi.findShop(shopUid);
      if (!shop || !shop.enabled) throw new ApiError(404, `shop not found: ${shopUid}`);
      const goods = await service.goods(shop, goodsUid);
      if (!goods) throw new ApiError(404, `goods not found: ${goodsUid}`);
      reply.header('cache-control', `public, max-age=${Math.min(300, service.config.SHOP_CHAT_GOODS_CACHE_TTL)}`);
      return ok(goods);
    },
  );
};
