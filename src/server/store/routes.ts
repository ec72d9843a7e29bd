// Store-connection routes, mounted by the server under /api/v1/shop/open/store.
// authorize / status / revoke need a bearer token and follow the open API's tenancy (an org token
// only for its own organisation's shops); the OAuth callback is public — the state is its credential.
// Authentication runs on onRequest, before validation: an anonymous caller learns nothing of the schemas.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { envelope } from '../../shared/api/envelope.ts';
import {
  AuthorizeRequest,
  AuthorizeResponse,
  CallbackParams,
  CallbackQuery,
  RevokeRequest,
  RevokeResponse,
  StatusQuery,
  StatusResponse,
} from '../../shared/store/api.ts';
import { assertShopAccess, type Auth } from '../auth.ts';
import { ok } from '../envelope.ts';
import { ApiError } from '../errors.ts';
import type { OpenApiBackend } from '../open-api/backend.ts';
import { errorResponses } from '../routes/common.ts';
import type { StoreService, StoreShop } from './service.ts';

export interface StoreRoutesOptions {
  auth: Auth;
  /** Finds the shop (and so its organisation) a connection belongs to. */
  openApi: OpenApiBackend;
  store: StoreService;
}

export const storeRoutes: FastifyPluginAsyncZod<StoreRoutesOptions> = async (app, { auth, openApi, store: service }) => {
  const shopFor = async (principal: Parameters<typeof assertShopAccess>[0], shopUid: string): Promise<StoreShop> => {
    const shop = await openApi.findShop(shopUid);
    if (!shop) throw new ApiError(404, `store not exist: shop ${shopUid} not found`);
    assertShopAccess(principal, shop);
    return shop;
  };

  app.post(
    '/authorize',
    {
      onRequest: auth.requireToken,
      schema: {
        tags: ['store'],
        summary: 'Connect a shop to a store platform: URL (returns authUrl) or KEY (validates and stores the credentials)',
        security: [{ bearerAuth: [] }],
        body: AuthorizeRequest,
        response: { 200: envelope(AuthorizeResponse), ...errorResponses },
      },
    },
    async (request) => {
      const shop = await shopFor(request.principal, request.body.shopUid);
      return ok(await service.authorize(shop, request.body));
    },
  );

  app.get(
    '/callback/:platform',
    {
      schema: {
        tags: ['store'],
        summary: 'OAuth redirect target of the platforms: verifies state, exchanges the code, redirects to redirectUrl or shows a result page',
        params: CallbackParams,
        querystring: CallbackQuery,
        // The 400/409 result pages are HTML strings (sent as-is); the schemas here describe the JSON errors.
        response: { 302: z.null().describe('Redirect to redirectUrl'), 200: z.string().describe('HTML result page'), ...errorResponses },
      },
    },
    async (request, reply) => {
      const result = await service.callback(request.params.platform, request.query);
      reply.header('cache-control', 'no-store');
      reply.header('referrer-policy', 'no-referrer');
      if (result.kind === 'redirect') return reply.redirect(result.location, 302);
      reply.header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'");
      return reply.code(result.status as 200).type('text/html; charset=utf-8').send(result.html);
    },
  );

  app.get(
    '/status',
    {
      onRequest: auth.requireToken,
      schema: {
        tags: ['store'],
        summary: "The shop's store connections (never a token)",
        security: [{ bearerAuth: [] }],
        querystring: StatusQuery,
        response: { 200: envelope(StatusResponse), ...errorResponses },
      },
    },
    async (request) => {
      const shop = await shopFor(request.principal, request.query.shopUid);
      return ok(await service.status(shop));
    },
  );

  app.post(
    '/revoke',
    {
      onRequest: auth.requireToken,
      schema: {
        tags: ['store'],
        summary: 'Disconnect a store platform and delete its stored tokens',
        security: [{ bearerAuth: [] }],
        body: RevokeRequest,
        response: { 200: envelope(RevokeResponse), ...errorResponses },
      },
    },
    async (request) => {
      const shop = await shopFor(request.principal, request.body.shopUid);
      return ok(await service.revoke(shop, request.body.platform));
    },
  );
};
