import { createHash } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { widgetConfigQuerySchema, widgetConfigResponseSchema, type WidgetConfig } from '../../shared/api/index.ts';
import type { Config } from '../config.ts';
import { ok } from '../envelope.ts';
import { ApiError } from '../errors.ts';
import type { ShopEvents } from '../events.ts';
import type { OpenApiBackend } from '../open-api/backend.ts';
import { errorResponses } from './common.ts';

/**
 * How long a computed widget config (body and ETag) is reused. A change made through this process
 * (update, onboard) drops its entry at once; a change made by another instance, or directly in the
 * database, shows within this time. Browsers cache the response for 60 s anyway (Cache-Control).
 */
export const WIDGET_CONFIG_TTL_MS = 5_000;
const WIDGET_CONFIG_CACHE_MAX = 10_000;

interface CachedConfig {
  body: string;
  etag: string;
  expires: number;
  /** Upstream mode: served from the mirror while upstream is unreachable (a response header says so). */
  upstreamUnavailable: boolean;
}

/**
 * Public widget endpoints — mounted under /api/v1/shop/widget. No token; CORS open (set in app.ts
 * for the whole prefix); `Cache-Control: public, max-age=60`, ETag and 304.
 */
export interface WidgetRoutesOptions {
  config: Pick<Config, 'chatUrl' | 'bytedeskApiUrl' | 'goodsDetailPath' | 'orderDetailPath'>;
  openApi: OpenApiBackend;
  events: ShopEvents;
}

export const widgetRoutes: FastifyPluginAsyncZod<WidgetRoutesOptions> = async (app, { config, openApi, events }) => {
  const cache = new Map<string, CachedConfig>();
  const unsubscribe = events.onShopChanged((shopUid) => cache.delete(shopUid));
  app.addHook('onClose', async () => {
    unsubscribe();
    cache.clear();
  });

  /** Body (validated and stripped by the response schema, serialized once) and ETag; 404 if unknown or disabled. */
  async function compute(shopUid: string): Promise<CachedConfig> {
    const shop = await openApi.widgetShop(shopUid);
    if (!shop) throw new ApiError(404, `shop not found: ${shopUid}`);
    const data: WidgetConfig = {
      org: shop.orgUid,
      sid: shop.workgroupUid,
      t: 1,
      chatUrl: config.chatUrl,
      apiUrl: config.bytedeskApiUrl,
      goodsDetailPath: config.goodsDetailPath,
      orderDetailPath: config.orderDetailPath,
      shop: { name: shop.name, logo: shop.logo },
    };
    const body = JSON.stringify(widgetConfigResponseSchema.parse(ok(data)));
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
    return { body, etag, expires: performance.now() + WIDGET_CONFIG_TTL_MS, upstreamUnavailable: shop.upstreamUnavailable === true };
  }

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
      const shopUid = request.query.shopUid;
      let entry = cache.get(shopUid);
      if (entry === undefined || entry.expires <= performance.now()) {
        entry = await compute(shopUid);
        if (cache.size >= WIDGET_CONFIG_CACHE_MAX) cache.clear();
        cache.set(shopUid, entry);
      }
      reply.header('cache-control', 'public, max-age=60');
      reply.header('etag', entry.etag);
      if (entry.upstreamUnavailable) reply.header('x-shop-chat-upstream', 'unavailable');
      const inm = request.headers['if-none-match'];
      if (inm && inm.split(',').some((t) => t.trim().replace(/^W\//, '') === entry.etag || t.trim() === '*')) {
        return (reply as FastifyReply).code(304).send();
      }
      // Already serialized (a string is sent as is, not through the route's serializer).
      return (reply as FastifyReply).type('application/json; charset=utf-8').send(entry.body);
    },
  );
};
