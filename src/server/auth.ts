import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { Config } from './config.ts';
import { ACCESS_TOKEN_PREFIX, ADMIN_TOKEN_PREFIX } from './crypto.ts';
import type { Database } from './db/types.ts';
import { ApiError } from './errors.ts';
import { authTokenCache, findAuthToken } from './services/tokens.ts';

/** Who is calling: the platform administrator, or a token bound to one organisation. */
export type Principal = { kind: 'admin'; tokenUid?: string } | { kind: 'org'; orgUid: string; tokenUid: string };

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by `requireToken` / `requireAdmin`; read it only on routes that use one of them. */
    principal: Principal;
    /** The bearer token and its SHA-256 (`bearerOf`); undefined until parsed, null when there is none. */
    bearer: Bearer | null | undefined;
  }
}

export type AuthHook = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

export interface Auth {
  /** Hook (use as `onRequest` or `preHandler`): any valid token; sets `request.principal`. 401 otherwise. */
  requireToken: AuthHook;
  /** Hook: the platform administrator only (org tokens get 403). */
  requireAdmin: AuthHook;
  /** Resolves an `Authorization` header value to a principal, or throws the 401 ApiError. */
  authenticate(header: string | undefined): Promise<Principal>;
}

const BEARER = /^Bearer\s+([A-Za-z0-9._~+/=-]+)\s*$/i;

/** A well-formed bearer token and its SHA-256. */
export interface Bearer {
  token: string;
  digest: Buffer;
}

function parseBearer(header: string | undefined): Bearer | null {
  const token = header === undefined ? undefined : BEARER.exec(header)?.[1];
  return token ? { token, digest: createHash('sha256').update(token, 'utf8').digest() } : null;
}

/**
 * The request's bearer token and its SHA-256, parsed once per request: the per-token rate limit
 * keys on the digest and authentication looks the token up by it. Null without a well-formed token.
 */
export function bearerOf(request: FastifyRequest): Bearer | null {
  if (request.bearer === undefined) request.bearer = parseBearer(request.headers.authorization);
  return request.bearer;
}

export function createAuth(deps: { db: Kysely<Database>; config: Pick<Config, 'adminToken'>; now: () => Date }): Auth {
  // One SHA-256 of the presented token per request: its digest is compared (constant time) with the
  // configured admin token's, computed once here, and its hex form is the indexed lookup key.
  const admin = deps.config.adminToken;
  const adminDigest = admin !== undefined ? createHash('sha256').update(admin, 'utf8').digest() : undefined;
  const cache = authTokenCache();
  async function authenticate(header: string | undefined, bearer = parseBearer(header)): Promise<Principal> {
    if (header === undefined || header.trim() === '') throw new ApiError(401, 'Authorization: Bearer token required');
    if (bearer === null) throw new ApiError(401, 'Authorization: malformed bearer token');
    const { token, digest } = bearer;
    if (adminDigest !== undefined && timingSafeEqual(digest, adminDigest)) return { kind: 'admin' };
    if (!token.startsWith(ACCESS_TOKEN_PREFIX) && !token.startsWith(ADMIN_TOKEN_PREFIX)) {
      throw new ApiError(401, 'Authorization: invalid token');
    }
    // Looked up on every request (services/tokens.ts: exact cache on SQLite), so a revoked or
    // refreshed token is refused on its very next use.
    const row = await findAuthToken(deps.db, cache, digest.toString('hex'));
    if (!row || row.deleted_at !== null) throw new ApiError(401, 'Authorization: invalid token');
    if (Number(row.revoked) === 1) throw new ApiError(401, 'Authorization: token revoked');
    if (row.expires_at !== null && row.expires_at <= deps.now().toISOString()) {
      throw new ApiError(401, 'Authorization: token expired');
    }
    if (row.kind === 'admin') return { kind: 'admin', tokenUid: row.uid };
    if (row.org_uid === null) throw new ApiError(401, 'Authorization: invalid token');
    return { kind: 'org', orgUid: row.org_uid, tokenUid: row.uid };
  }
  const requireToken: AuthHook = async (request) => {
    request.principal = await authenticate(request.headers.authorization, bearerOf(request));
  };
  const requireAdmin: AuthHook = async (request, reply) => {
    await requireToken(request, reply);
    if (request.principal.kind !== 'admin') throw new ApiError(403, 'only the platform administrator may do this');
  };
  return { requireToken, requireAdmin, authenticate: (header) => authenticate(header) };
}

export function isAdmin(principal: Principal): principal is { kind: 'admin'; tokenUid?: string } {
  return principal.kind === 'admin';
}

/** Throws 403 unless the principal may act on organisation `orgUid`. */
export function assertOrgAccess(principal: Principal, orgUid: string | null): void {
  if (principal.kind === 'admin') return;
  if (orgUid === null || principal.orgUid !== orgUid) throw new ApiError(403, 'this token may not access another organisation');
}

/** Throws 403 unless the principal may act on `shop` (admin, or a token of the shop's organisation). */
export function assertShopAccess(principal: Principal, shop: { orgUid: string; shopUid?: string }): void {
  if (principal.kind === 'admin') return;
  if (principal.orgUid !== shop.orgUid) {
    throw new ApiError(403, `this token may not access shop ${shop.shopUid ?? ''}`.trim());
  }
}
