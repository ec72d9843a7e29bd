// Row access and mapping of the store-connection tables. Ciphertexts stay in the row; the view
// (what the API shows) never holds a token, a secret or a code.
import type { Kysely, Selectable } from 'kysely';
import type { StoreConnectionView } from '../../shared/store/api.ts';
import { prepared } from '../db/prepared.ts';
import type { Database } from '../db/types.ts';
import type { StoreConnectionTable, StoreTables } from './tables.ts';

export type ConnectionRow = Selectable<StoreConnectionTable>;
export type StoreDb = Kysely<StoreTables>;

/**
 * A whole connection row in its starting state: PENDING, no tokens, no lease. Callers spread it
 * and override what they know, so a new column is given its default in one place.
 */
export function newConnectionRow(c: {
  id: string;
  shopUid: string;
  orgUid: string | null;
  platform: string;
  authType: string;
  sellerId: string | null;
  now: number;
}) {
  return {
    id: c.id,
    shop_uid: c.shopUid,
    org_uid: c.orgUid,
    platform: c.platform,
    seller_id: c.sellerId,
    seller_name: null as string | null,
    seller_key: null as string | null,
    auth_type: c.authType,
    status: 'PENDING',
    access_token_enc: null as string | null,
    refresh_token_enc: null as string | null,
    credentials_enc: null as string | null,
    auth_fingerprint: null as string | null,
    scope: null as string | null,
    expires_at: null as number | null,
    refresh_expires_at: null as number | null,
    last_refresh_at: null as number | null,
    last_error: null as string | null,
    next_attempt_at: null as number | null,
    lease_until: null as number | null,
    lease_owner: null as string | null,
    created_at: c.now,
    updated_at: c.now,
  };
}

/** Their `Kysely<Database>` (which extends StoreTables) seen as ours. */
export const storeDb = (db: unknown): StoreDb => db as StoreDb;

const iso = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : new Date(Number(ms)).toISOString());

/** pg returns `double precision` as number, but normalise anyway (and integers of counters). */
export function normalizeRow(r: ConnectionRow): ConnectionRow {
  const n = (v: number | null) => (v === null || v === undefined ? null : Number(v));
  return {
    ...r,
    expires_at: n(r.expires_at),
    refresh_expires_at: n(r.refresh_expires_at),
    last_refresh_at: n(r.last_refresh_at),
    next_attempt_at: n(r.next_attempt_at),
    lease_until: n(r.lease_until),
    created_at: Number(r.created_at),
    updated_at: Number(r.updated_at),
    version: Number(r.version),
    fail_count: Number(r.fail_count),
  };
}

/** The core database type, which includes the store tables: what `prepared()` queries are built on. */
export const asCoreDb = (db: StoreDb): Kysely<Database> => db as unknown as Kysely<Database>;

const connectionById = prepared((db, id: string) => db.selectFrom('store_connection').selectAll().where('id', '=', id));

export async function readConnection(db: StoreDb, id: string): Promise<ConnectionRow | undefined> {
  const row = await connectionById.first(asCoreDb(db), id);
  return row ? normalizeRow(row) : undefined;
}

export async function findConnection(db: StoreDb, shopUid: string, platform: string): Promise<ConnectionRow | undefined> {
  const row = await db
    .selectFrom('store_connection')
    .selectAll()
    .where('shop_uid', '=', shopUid)
    .where('platform', '=', platform)
    .executeTakeFirst();
  return row ? normalizeRow(row) : undefined;
}

export function toView(r: ConnectionRow): StoreConnectionView {
  return {
    shopUid: r.shop_uid,
    platform: r.platform as StoreConnectionView['platform'],
    sellerId: r.seller_id,
    sellerName: r.seller_name,
    authType: r.auth_type as StoreConnectionView['authType'],
    status: r.status as StoreConnectionView['status'],
    expiresAt: iso(r.expires_at),
    refreshExpiresAt: iso(r.refresh_expires_at),
    lastRefreshAt: iso(r.last_refresh_at),
    lastError: r.last_error,
    createdAt: iso(r.created_at)!,
    updatedAt: iso(r.updated_at)!,
  };
}

export const aad = {
  access: (id: string) => `store_connection:${id}:access_token`,
  refresh: (id: string) => `store_connection:${id}:refresh_token`,
  credentials: (id: string) => `store_connection:${id}:credentials`,
};

export const affected = (r: { numUpdatedRows: bigint } | { numUpdatedRows: bigint }[]) =>
  Number((Array.isArray(r) ? r[0]!.numUpdatedRows : r.numUpdatedRows) ?? 0n);

export const clipError = (s: string) => (s.length > 480 ? `${s.slice(0, 480)}…` : s);
