import { createHmac } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { ApiToken, SpringPage, TokenUpdateRequest } from '../../shared/api/index.ts';
import { toSpringPage } from '../../shared/api/page.ts';
import { REFRESH_TOKEN_REFUSED } from '../../shared/api/token.ts';
import {
  ACCESS_TOKEN_PREFIX,
  ADMIN_TOKEN_PREFIX,
  REFRESH_TOKEN_PREFIX,
  hashToken,
  maskToken,
  newToken,
  newUid,
  safeEqualHex,
} from '../crypto.ts';
import { NOT_CACHED, boundInt, prepared, readCache, type ReadCache } from '../db/prepared.ts';
import type { ApiTokensTable, Database } from '../db/types.ts';
import { ApiError, isUniqueViolation } from '../errors.ts';
import { formatTimestamp, isoOrNull, toDbTime } from '../time.ts';

export type TokenRow = Selectable<ApiTokensTable>;

export interface TokenContext {
  db: Kysely<Database>;
  timezone: string;
  tokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  now: () => Date;
}

/** API view of a token; full values only when passed in `full` (create / refresh). */
export function toApiToken(r: TokenRow, tz: string, full: { accessToken?: string; refreshToken?: string } = {}): ApiToken {
  let scope: string[] = [];
  try {
    const parsed: unknown = JSON.parse(r.scope);
    if (Array.isArray(parsed)) scope = parsed.filter((s): s is string => typeof s === 'string');
  } catch {
    scope = [];
  }
  return {
    uid: r.uid,
    userUid: r.user_uid,
    orgUid: r.org_uid,
    level: null,
    platform: null,
    createdAt: formatTimestamp(new Date(r.created_at), tz),
    updatedAt: formatTimestamp(new Date(r.updated_at), tz),
    name: r.name,
    description: r.description,
    accessToken: full.accessToken ?? r.access_hint,
    refreshToken: full.refreshToken ?? r.refresh_hint,
    type: r.type,
    scope,
    expiresAt: isoOrNull(r.expires_at, tz),
    permanent: Number(r.permanent) === 1,
    revoked: Number(r.revoked) === 1,
    revokeReason: r.revoke_reason,
    channel: r.channel,
    device: r.device,
  };
}

export interface NewTokenInput {
  kind: 'org' | 'admin';
  orgUid: string | null;
  userUid?: string | undefined;
  name: string;
  description?: string | undefined;
  channel?: string | undefined;
  device?: string | undefined;
  refreshToken?: string | undefined;
  /** Admin tokens made by the CLI never expire. */
  permanent?: boolean;
}

export async function createToken(ctx: TokenContext, input: NewTokenInput): Promise<{ row: TokenRow; accessToken: string; refreshToken: string | null }> {
  const now = ctx.now();
  const ts = toDbTime(now);
  const accessToken = newToken(input.kind === 'admin' ? ADMIN_TOKEN_PREFIX : ACCESS_TOKEN_PREFIX);
  const refreshToken = input.kind === 'admin' ? null : (input.refreshToken ?? newToken(REFRESH_TOKEN_PREFIX));
  const permanent = input.permanent === true;
  try {
    const row = await ctx.db
      .insertInto('api_tokens')
      .values({
        uid: newUid('token'),
        kind: input.kind,
        org_uid: input.orgUid,
        user_uid: input.userUid ?? null,
        name: input.name,
        description: input.description ?? null,
        access_hash: hashToken(accessToken),
        access_hint: maskToken(accessToken),
        refresh_hash: refreshToken ? hashToken(refreshToken) : null,
        refresh_hint: refreshToken ? maskToken(refreshToken) : null,
        type: null,
        scope: '[]',
        expires_at: permanent ? null : toDbTime(new Date(now.getTime() + ctx.tokenTtlSeconds * 1000)),
        refresh_expires_at: refreshToken ? toDbTime(new Date(now.getTime() + ctx.refreshTokenTtlSeconds * 1000)) : null,
        permanent: permanent ? 1 : 0,
        revoked: 0,
        revoke_reason: null,
        channel: input.channel ?? null,
        device: input.device ?? null,
        deleted_at: null,
        created_at: ts,
        updated_at: ts,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return { row, accessToken, refreshToken };
  } catch (err) {
    // A chosen value already in use gets the answer a weak one gets: a 409 told any tenant that the
    // value exists (in whatever organisation).
    if (input.refreshToken !== undefined && isUniqueViolation(err)) throw new ApiError(400, `refreshToken: ${REFRESH_TOKEN_REFUSED}`);
    throw err;
  }
}

/** Live (not deleted) token by uid, or 404. */
export async function getTokenOr404(db: Kysely<Database>, uid: string): Promise<TokenRow> {
  const row = await db.selectFrom('api_tokens').selectAll().where('uid', '=', uid).where('deleted_at', 'is', null).executeTakeFirst();
  if (!row) throw new ApiError(404, `token not found: ${uid}`);
  return row;
}

/** Looks a presented token up by its hash; the stored hash is compared in constant time. */
const tokenByAccessHash = prepared((db, hash: string) => db.selectFrom('api_tokens').selectAll().where('access_hash', '=', hash));
const tokenByRefreshHash = prepared((db, hash: string) => db.selectFrom('api_tokens').selectAll().where('refresh_hash', '=', hash));

/** The token whose access (or refresh) value is `value`: one indexed lookup by its SHA-256. */
export async function findTokenByValue(db: Kysely<Database>, column: 'access_hash' | 'refresh_hash', value: string): Promise<TokenRow | undefined> {
  return findTokenByHash(db, column, hashToken(value));
}

const authTokenByAccessHash = prepared((db, hash: string) =>
  db.selectFrom('api_tokens').select(['uid', 'kind', 'org_uid', 'access_hash', 'revoked', 'expires_at', 'deleted_at']).where('access_hash', '=', hash),
);
export type AuthTokenRow = Pick<TokenRow, 'uid' | 'kind' | 'org_uid' | 'access_hash' | 'revoked' | 'expires_at' | 'deleted_at'>;

/** Rows of tokens in use, exact (db/prepared.ts readCache, SQLite and PostgreSQL): revocation is still seen at once. */
export const authTokenCache = (): ReadCache<AuthTokenRow> => readCache<AuthTokenRow>(10_000);

/**
 * What authentication needs of the token whose access hash is `hash` (hex SHA-256): one indexed
 * lookup, seven columns; `cache` is the authenticator's own (one per database).
 */
export async function findAuthToken(db: Kysely<Database>, cache: ReadCache<AuthTokenRow>, hash: string): Promise<AuthTokenRow | undefined> {
  const cached = cache.read(db, hash, (read) => authTokenByAccessHash.allSync(read, hash)[0]);
  // PostgreSQL: cached while no write here or elsewhere was seen (LISTEN/NOTIFY), so a revoke is still seen at once.
  const row = cached === NOT_CACHED ? await cache.readAsync(db, hash, () => authTokenByAccessHash.first(db, hash)) : cached;
  return row && safeEqualHex(row.access_hash, hash) ? row : undefined;
}

/** Like findTokenByValue, given the hex SHA-256 of the value (hashToken). */
export async function findTokenByHash(db: Kysely<Database>, column: 'access_hash' | 'refresh_hash', hash: string): Promise<TokenRow | undefined> {
  const row = await (column === 'access_hash' ? tokenByAccessHash : tokenByRefreshHash).first(db, hash);
  if (!row) return undefined;
  const stored = row[column];
  return stored && safeEqualHex(stored, hash) ? row : undefined;
}

export async function listTokens(
  ctx: TokenContext,
  filter: { orgUid?: string | undefined; userUid?: string | undefined },
  pageNumber: number,
  pageSize: number,
): Promise<SpringPage<ApiToken>> {
  let base = ctx.db.selectFrom('api_tokens').where('deleted_at', 'is', null).where('kind', '=', 'org');
  if (filter.orgUid !== undefined) base = base.where('org_uid', '=', filter.orgUid);
  if (filter.userUid !== undefined) base = base.where('user_uid', '=', filter.userUid);
  const countRow = await base.select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
  const rows = await base
    .selectAll()
    .orderBy('created_at', 'desc')
    .orderBy('uid')
    .limit(boundInt(pageSize))
    .offset(boundInt(pageNumber * pageSize))
    .execute();
  return toSpringPage(
    rows.map((r) => toApiToken(r, ctx.timezone)),
    pageNumber,
    pageSize,
    Number(countRow?.n ?? 0),
  );
}

export async function updateToken(ctx: TokenContext, row: TokenRow, req: TokenUpdateRequest): Promise<ApiToken> {
  const changes: Partial<Pick<TokenRow, 'name' | 'description' | 'channel' | 'device'>> & { updated_at: string } = {
    updated_at: toDbTime(ctx.now()),
  };
  if (req.name !== undefined) changes.name = req.name;
  if (req.description !== undefined) changes.description = req.description;
  if (req.channel !== undefined) changes.channel = req.channel;
  if (req.device !== undefined) changes.device = req.device;
  const updated = await ctx.db.updateTable('api_tokens').set(changes).where('uid', '=', row.uid).returningAll().executeTakeFirstOrThrow();
  return toApiToken(updated, ctx.timezone);
}

export async function softDeleteToken(ctx: TokenContext, row: TokenRow): Promise<void> {
  const ts = toDbTime(ctx.now());
  await ctx.db.updateTable('api_tokens').set({ deleted_at: ts, updated_at: ts }).where('uid', '=', row.uid).execute();
}

export async function revokeToken(ctx: TokenContext, row: TokenRow, reason: string | undefined): Promise<void> {
  await ctx.db
    .updateTable('api_tokens')
    .set({ revoked: 1, revoke_reason: reason ?? null, updated_at: toDbTime(ctx.now()) })
    .where('uid', '=', row.uid)
    .execute();
}

/**
 * Refreshes of one refresh token within this long agree: they all hand out the same access token.
 * On SQLite the requests of a burst run one after another, so without it each killed the token the
 * previous one had just handed out (20 × 200, 19 of them dead); on PostgreSQL they raced (3 × 200,
 * 27 × 409).
 */
export const REFRESH_AGREEMENT_MS = 10_000;

/**
 * The access token a refresh hands out in agreement window `window`: derived from the refresh token
 * itself, so every caller (any instance, either database) computes the same one and nothing has to
 * be stored beside its hash. Only a holder of the refresh token can compute it, and such a holder
 * may call refresh anyway.
 */
function agreedAccessToken(refreshToken: string, tokenUid: string, window: number): string {
  return ACCESS_TOKEN_PREFIX + createHmac('sha256', refreshToken).update(`shop-chat/token-refresh:${tokenUid}:${window}`).digest('base64url');
}

/**
 * New access token for a valid refresh token; the old access token stops working at once. Refreshes
 * of the same token in the same or the next agreement window answer the token the first one made.
 */
export async function refreshAccessToken(ctx: TokenContext, refreshToken: string, channel: string | undefined): Promise<ApiToken> {
  // Three reads at most: a lost compare-and-swap (PostgreSQL) re-reads and finds the winner's token.
  for (let attempt = 0; attempt < 3; attempt++) {
    const row = await findTokenByValue(ctx.db, 'refresh_hash', refreshToken);
    const now = ctx.now();
    if (!row || row.deleted_at !== null) throw new ApiError(401, 'refreshToken: invalid refresh token');
    if (Number(row.revoked) === 1) throw new ApiError(401, 'refreshToken: token revoked');
    if (row.refresh_expires_at !== null && row.refresh_expires_at <= now.toISOString()) {
      throw new ApiError(401, 'refreshToken: refresh token expired');
    }
    const window = Math.floor(now.getTime() / REFRESH_AGREEMENT_MS);
    for (const w of [window, window - 1]) {
      const agreed = agreedAccessToken(refreshToken, row.uid, w);
      if (safeEqualHex(row.access_hash, hashToken(agreed))) return toApiToken(row, ctx.timezone, { accessToken: agreed, refreshToken });
    }
    const accessToken = agreedAccessToken(refreshToken, row.uid, window);
    const updated = await ctx.db
      .updateTable('api_tokens')
      .set({
        access_hash: hashToken(accessToken),
        access_hint: maskToken(accessToken),
        expires_at: Number(row.permanent) === 1 ? null : toDbTime(new Date(now.getTime() + ctx.tokenTtlSeconds * 1000)),
        updated_at: toDbTime(now),
        ...(channel !== undefined ? { channel } : {}),
      })
      .where('uid', '=', row.uid)
      .where('access_hash', '=', row.access_hash)
      .returningAll()
      .executeTakeFirst();
    if (updated) return toApiToken(updated, ctx.timezone, { accessToken, refreshToken });
  }
  throw new ApiError(409, 'refreshToken: refreshed concurrently, retry');
}
