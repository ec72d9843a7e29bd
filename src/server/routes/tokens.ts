import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  booleanResponseSchema,
  tokenCreateRequestSchema,
  tokenDeleteBodySchema,
  tokenDeleteQuerySchema,
  tokenPageResponseSchema,
  tokenQueryOrgRequestSchema,
  tokenQueryUserRequestSchema,
  tokenRefreshRequestSchema,
  tokenResponseSchema,
  tokenRevokeRequestSchema,
  tokenShopQuerySchema,
  tokenUidQuerySchema,
  tokenUpdateRequestSchema,
} from '../../shared/api/index.ts';
import { assertOrgAccess, assertShopAccess, type Principal } from '../auth.ts';
import { ok } from '../envelope.ts';
import { ApiError } from '../errors.ts';
import {
  createToken,
  findTokenByValue,
  getTokenOr404,
  listTokens,
  refreshAccessToken,
  revokeToken,
  softDeleteToken,
  toApiToken,
  updateToken,
  type TokenContext,
  type TokenRow,
} from '../services/tokens.ts';
import { errorResponses, shopOr404, type OpenApiRoutesOptions } from './common.ts';

export interface TokenRoutesOptions extends OpenApiRoutesOptions {
  tokens: TokenContext;
}

/** API tokens (ours in both modes) — mounted under /api/v1/shop/open. */
export const tokenRoutes: FastifyPluginAsyncZod<TokenRoutesOptions> = async (app, { auth, openApi, tokens: ctx }) => {
  const tags = ['token'];
  const security = [{ bearerAuth: [] }];
  const onRequest = auth.requireToken;

  /** Organisation named by `shopUid`, else the caller's own; the admin must name a shop. */
  const resolveOrg = async (principal: Principal, shopUid: string | undefined, required: boolean): Promise<string | undefined> => {
    if (shopUid !== undefined) {
      const shop = await shopOr404(openApi, shopUid);
      assertShopAccess(principal, shop);
      return shop.orgUid;
    }
    if (principal.kind === 'org') return principal.orgUid;
    if (required) throw new ApiError(400, 'shopUid: Required');
    return undefined;
  };
  const tokenFor = async (principal: Principal, uid: string): Promise<TokenRow> => {
    const row = await getTokenOr404(ctx.db, uid);
    assertOrgAccess(principal, row.org_uid);
    return row;
  };

  app.post(
    '/token/create',
    {
      onRequest,
      schema: {
        tags,
        security,
        summary: 'Create an API token for the organisation of shopUid (full token values are shown only here and on refresh)',
        body: tokenCreateRequestSchema,
        response: { 200: tokenResponseSchema, ...errorResponses },
      },
    },
    async (request) => {
      const b = request.body;
      const orgUid = (await resolveOrg(request.principal, b.shopUid, true))!;
      const { row, accessToken, refreshToken } = await createToken(ctx, {
        kind: 'org',
        orgUid,
        userUid: b.userUid,
        name: b.name,
        description: b.description,
        channel: b.channel,
        device: b.device,
        refreshToken: b.refreshToken,
      });
      return ok(toApiToken(row, ctx.timezone, { accessToken, ...(refreshToken ? { refreshToken } : {}) }));
    },
  );

  app.post(
    '/token/query/org',
    {
      onRequest,
      schema: {
        tags,
        security,
        summary: 'Page of the tokens of an organisation (shopUid in the query)',
        querystring: tokenShopQuerySchema,
        body: tokenQueryOrgRequestSchema,
        response: { 200: tokenPageResponseSchema, ...errorResponses },
      },
    },
    async (request) => {
      const orgUid = await resolveOrg(request.principal, request.query.shopUid, true);
      const { pageNumber, pageSize } = request.body ?? { pageNumber: 0, pageSize: 20 };
      return ok(await listTokens(ctx, { orgUid }, pageNumber, pageSize));
    },
  );

  app.post(
    '/token/query/user',
    {
      onRequest,
      schema: {
        tags,
        security,
        summary: 'Page of the tokens of a user (shopUid in the query recommended)',
        querystring: tokenShopQuerySchema,
        body: tokenQueryUserRequestSchema,
        response: { 200: tokenPageResponseSchema, ...errorResponses },
      },
    },
    async (request) => {
      const orgUid = await resolveOrg(request.principal, request.query.shopUid, false);
      const { userUid, pageNumber, pageSize } = request.body;
      return ok(await listTokens(ctx, { orgUid, userUid }, pageNumber, pageSize));
    },
  );

  app.get(
    '/token/detail',
    {
      onRequest,
      schema: {
        tags,
        security,
        summary: 'One token by uid (token values masked)',
        querystring: tokenUidQuerySchema,
        response: { 200: tokenResponseSchema, ...errorResponses },
      },
    },
    async (request) => ok(toApiToken(await tokenFor(request.principal, request.query.uid), ctx.timezone)),
  );

  app.post(
    '/token/update',
    {
      onRequest,
      schema: {
        tags,
        security,
        summary: 'Update name, description, channel or device of a token',
        body: tokenUpdateRequestSchema,
        response: { 200: tokenResponseSchema, ...errorResponses },
      },
    },
    async (request) => {
      const row = await tokenFor(request.principal, request.body.uid);
      return ok(await updateToken(ctx, row, request.body));
    },
  );

  app.post(
    '/token/delete',
    {
      onRequest,
      schema: {
        tags,
        security,
        summary: 'Soft-delete a token (uid in the query, or in the body)',
        querystring: tokenDeleteQuerySchema,
        body: tokenDeleteBodySchema,
        response: { 200: booleanResponseSchema, ...errorResponses },
      },
    },
    async (request) => {
      const uid = request.query.uid ?? request.body?.uid;
      if (uid === undefined) throw new ApiError(400, 'uid: Required');
      const row = await tokenFor(request.principal, uid);
      await softDeleteToken(ctx, row);
      return ok(true);
    },
  );

  app.post(
    '/token/refresh',
    {
      schema: {
        tags,
        summary: 'New access token for a refresh token (no bearer: the refresh token is the credential)',
        body: tokenRefreshRequestSchema,
        response: { 200: tokenResponseSchema, ...errorResponses },
      },
    },
    async (request) => ok(await refreshAccessToken(ctx, request.body.refreshToken, request.body.channel)),
  );

  app.post(
    '/token/revoke',
    {
      onRequest,
      schema: {
        tags,
        security,
        summary: 'Revoke a token by uid or by accessToken, with a reason',
        body: tokenRevokeRequestSchema,
        response: { 200: booleanResponseSchema, ...errorResponses },
      },
    },
    async (request) => {
      const b = request.body;
      let row: TokenRow;
      if (b.uid !== undefined) {
        row = await tokenFor(request.principal, b.uid);
      } else {
        const found = await findTokenByValue(ctx.db, 'access_hash', b.accessToken!);
        if (!found || found.deleted_at !== null) throw new ApiError(404, 'accessToken: token not found');
        assertOrgAccess(request.principal, found.org_uid);
        row = found;
      }
      await revokeToken(ctx, row, b.revokeReason);
      return ok(true);
    },
  );
};
