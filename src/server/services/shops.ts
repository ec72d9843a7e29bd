import { PostgresAdapter, sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import type { AgentSeat, OnboardData, OnboardRequest, Shop, ShopUpdateRequest, VipLevelRequest } from '../../shared/api/index.ts';
import { newUid } from '../crypto.ts';
import { NOT_CACHED, prepared, preparedPostgres, preparedRaw, readCache, type ReadCache } from '../db/prepared.ts';
import type { AgentsTable, Database, SeatsTable, ShopsTable, UsersTable, WorkgroupsTable } from '../db/types.ts';
import { ApiError, isDatabaseUnavailable, isRetryableTxError } from '../errors.ts';
import type { ShopEvents } from '../events.ts';
import { formatTimestamp, isoOrNull, toDbTime } from '../time.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** A shop row in camelCase, as other modules (store connections, auth) need it. */
export interface ShopRecord {
  uid: string;
  shopUid: string;
  orgUid: string;
  userUid: string | null;
  name: string;
  logo: string | null;
  description: string | null;
  type: string;
  enabled: boolean;
  vipLevel: number;
  vipExpireDate: string | null;
  createdAt: string;
  updatedAt: string;
}

// ---- precompiled queries of the hot paths (see db/prepared.ts) ----
// Only the columns the views use: better-sqlite3 spends more on building a row object than on the
// index lookup (a 22-column row ~9 µs, a 7-column one ~3 µs).

const AGENT_VIEW_COLUMNS = ['uid', 'nickname', 'enabled'] as const;
const WORKGROUP_VIEW_COLUMNS = ['uid', 'nickname', 'enabled'] as const;
export const SEAT_VIEW_COLUMNS = [
  'uid',
  'org_uid',
  'seat_no',
  'source',
  'status',
  'base_seat',
  'type',
  'expire_at',
  'assigned_agent_uid',
  'assigned_member_uid',
  'assigned_at',
  'released_at',
  'created_at',
  'updated_at',
] as const;
export type AgentViewRow = Pick<Selectable<AgentsTable>, (typeof AGENT_VIEW_COLUMNS)[number]>;
export type WorkgroupViewRow = Pick<Selectable<WorkgroupsTable>, (typeof WORKGROUP_VIEW_COLUMNS)[number]>;
export type SeatViewRow = Pick<Selectable<SeatsTable>, (typeof SEAT_VIEW_COLUMNS)[number]>;

/** The live (not deleted) seats of a shop (by its internal uid): the binding view and the seat query. */
export function liveSeatsOfShop(db: Kysely<Database>, shopUid: string) {
  return db.selectFrom('seats').where('shop_uid', '=', shopUid).where('deleted_at', 'is', null);
}

/** A new seat row: a shop's base seat (no expiry), or an extra seat bought until `expireAt`. */
export function newSeatRow(s: { uid: string; orgUid: string; shopUid: string; seatNo: string; base: boolean; expireAt: string | null; ts: string }) {
  return {
    uid: s.uid,
    org_uid: s.orgUid,
    shop_uid: s.shopUid,
    seat_no: s.seatNo,
    source: s.base ? ('BASE' as const) : ('EXTRA' as const),
    status: 'AVAILABLE' as const,
    base_seat: s.base ? 1 : 0,
    type: 'CUSTOMER',
    expire_at: s.expireAt,
    assigned_agent_uid: null,
    assigned_member_uid: null,
    assigned_at: null,
    released_at: null,
    deleted_at: null,
    created_at: s.ts,
    updated_at: s.ts,
  };
}

const q = {
  shopByShopUid: prepared((db, shopUid: string) => db.selectFrom('shops').selectAll().where('shop_uid', '=', shopUid)),
  // PostgreSQL: the shop and the rows of its view in one round trip (JSON aggregation of the same
  // ordered selections as the three queries below).
  shopWithViewRows: prepared((db, shopUid: string) =>
    db
      .selectFrom('shops')
      .selectAll('shops')
      .select((eb) => [
        jsonArrayFrom(
          eb.selectFrom('agents').select(AGENT_VIEW_COLUMNS).whereRef('agents.shop_uid', '=', 'shops.uid').orderBy('agents.created_at').orderBy('agents.uid'),
        ).as('view_agents'),
        jsonArrayFrom(
          eb
            .selectFrom('seats')
            .select(SEAT_VIEW_COLUMNS)
            .whereRef('seats.shop_uid', '=', 'shops.uid')
            .where('seats.deleted_at', 'is', null)
            .orderBy('seats.created_at')
            .orderBy('seats.seat_no'),
        ).as('view_seats'),
        jsonArrayFrom(
          eb.selectFrom('workgroups').select(WORKGROUP_VIEW_COLUMNS).whereRef('workgroups.shop_uid', '=', 'shops.uid').orderBy('workgroups.created_at'),
        ).as('view_workgroups'),
      ])
      .where('shops.shop_uid', '=', shopUid),
  ),
  // The widget config's fields in one round trip: the shop and its first enabled workgroup.
  widgetShop: prepared((db, shopUid: string) =>
    db
      .selectFrom('shops')
      .select(['shops.org_uid', 'shops.name', 'shops.logo', 'shops.enabled'])
      .select((eb) =>
        eb
          .selectFrom('workgroups')
          .select('workgroups.uid')
          .whereRef('workgroups.shop_uid', '=', 'shops.uid')
          .where('workgroups.enabled', '=', 1)
          .orderBy('workgroups.created_at')
          .limit(sql.lit(1))
          .as('workgroup_uid'),
      )
      .where('shops.shop_uid', '=', shopUid),
  ),
  agentsOfShop: prepared((db, shopUid: string) =>
    db.selectFrom('agents').select(AGENT_VIEW_COLUMNS).where('shop_uid', '=', shopUid).orderBy('created_at').orderBy('uid'),
  ),
  seatsOfShop: prepared((db, shopUid: string) => liveSeatsOfShop(db, shopUid).select(SEAT_VIEW_COLUMNS).orderBy('created_at').orderBy('seat_no')),
  workgroupsOfShop: prepared((db, shopUid: string) =>
    db.selectFrom('workgroups').select(WORKGROUP_VIEW_COLUMNS).where('shop_uid', '=', shopUid).orderBy('created_at'),
  ),
  // Views of every shop of a user in three queries (grouped by shop in JS; order kept).
  shopsOfUser: prepared((db, userUid: string) =>
    db
      .selectFrom('user_shops')
      .innerJoin('shops', 'shops.uid', 'user_shops.shop_uid')
      .selectAll('shops')
      .where('user_shops.user_uid', '=', userUid)
      .orderBy('user_shops.created_at')
      .orderBy('shops.shop_uid'),
  ),
  agentsOfUser: prepared((db, userUid: string) =>
    db
      .selectFrom('agents')
      .innerJoin('user_shops', 'user_shops.shop_uid', 'agents.shop_uid')
      .select(['agents.shop_uid', ...AGENT_VIEW_COLUMNS.map((c) => `agents.${c}` as const)])
      .where('user_shops.user_uid', '=', userUid)
      .orderBy('agents.created_at')
      .orderBy('agents.uid'),
  ),
  seatsOfUser: prepared((db, userUid: string) =>
    db
      .selectFrom('seats')
      .innerJoin('user_shops', 'user_shops.shop_uid', 'seats.shop_uid')
      .select(['seats.shop_uid', ...SEAT_VIEW_COLUMNS.map((c) => `seats.${c}` as const)])
      .where('user_shops.user_uid', '=', userUid)
      .where('seats.deleted_at', 'is', null)
      .orderBy('seats.created_at')
      .orderBy('seats.seat_no'),
  ),
  workgroupsOfUser: prepared((db, userUid: string) =>
    db
      .selectFrom('workgroups')
      .innerJoin('user_shops', 'user_shops.shop_uid', 'workgroups.shop_uid')
      .select(['workgroups.shop_uid', ...WORKGROUP_VIEW_COLUMNS.map((c) => `workgroups.${c}` as const)])
      .where('user_shops.user_uid', '=', userUid)
      .orderBy('workgroups.created_at'),
  ),
  userByMobile: prepared((db, country: string, mobile: string) =>
    db.selectFrom('users').selectAll().where('country', '=', country).where('mobile', '=', mobile),
  ),
  insertUser: prepared((db, uid: string, mobile: string, country: string, currentOrgUid: string | null, ts: string) =>
    db
      .insertInto('users')
      .values({ uid, mobile, country, current_org_uid: currentOrgUid, created_at: ts, updated_at: ts })
      .onConflict((oc) => oc.columns(['country', 'mobile']).doNothing())
      .returningAll(),
  ),
  setCurrentOrg: prepared((db, orgUid: string, ts: string, userUid: string) =>
    db.updateTable('users').set({ current_org_uid: orgUid, updated_at: ts }).where('uid', '=', userUid),
  ),
  insertOrg: prepared((db, uid: string, name: string, ts: string) =>
    db.insertInto('orgs').values({
      uid,
      name,
      vip_level: 0,
      vip_expire_date: null,
      max_members: null,
      max_agents: null,
      max_workgroups: null,
      created_at: ts,
      updated_at: ts,
    }),
  ),
  deleteOrg: prepared((db, uid: string) => db.deleteFrom('orgs').where('uid', '=', uid)),
  insertShop: prepared((db, uid: string, shopUid: string, orgUid: string, userUid: string, name: string, logo: string | null, ts: string) =>
    db
      .insertInto('shops')
      .values({
        uid,
        shop_uid: shopUid,
        org_uid: orgUid,
        user_uid: userUid,
        name,
        logo,
        description: null,
        type: 'FLAGSHIP',
        enabled: 1,
        vip_level: 0,
        vip_expire_date: null,
        created_at: ts,
        updated_at: ts,
      })
      .onConflict((oc) => oc.column('shop_uid').doNothing())
      .returningAll(),
  ),
  insertWorkgroup: prepared((db, uid: string, orgUid: string, shopUid: string, nickname: string, ts: string) =>
    db.insertInto('workgroups').values({ uid, org_uid: orgUid, shop_uid: shopUid, nickname, enabled: 1, created_at: ts, updated_at: ts }),
  ),
  insertBaseSeat: prepared((db, uid: string, orgUid: string, shopUid: string, seatNo: string, ts: string) =>
    db.insertInto('seats').values(newSeatRow({ uid, orgUid, shopUid, seatNo, base: true, expireAt: null, ts })),
  ),
  insertAgent: prepared((db, uid: string, orgUid: string, shopUid: string, userUid: string, nickname: string, ts: string) =>
    db
      .insertInto('agents')
      .values({ uid, org_uid: orgUid, shop_uid: shopUid, user_uid: userUid, nickname, enabled: 1, created_at: ts, updated_at: ts })
      .onConflict((oc) => oc.columns(['shop_uid', 'user_uid']).doNothing()),
  ),
  insertUserShop: prepared((db, userUid: string, shopUid: string, ts: string) =>
    db
      .insertInto('user_shops')
      .values({ user_uid: userUid, shop_uid: shopUid, created_at: ts })
      .onConflict((oc) => oc.columns(['user_uid', 'shop_uid']).doNothing()),
  ),
};

export function toShopRecord(r: Selectable<ShopsTable>): ShopRecord {
  return {
    uid: r.uid,
    shopUid: r.shop_uid,
    orgUid: r.org_uid,
    userUid: r.user_uid,
    name: r.name,
    logo: r.logo,
    description: r.description,
    type: r.type,
    enabled: Number(r.enabled) === 1,
    vipLevel: Number(r.vip_level),
    vipExpireDate: r.vip_expire_date,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** The shop with business uid `shopUid`, or undefined. */
export async function findShopByShopUid(db: Db, shopUid: string): Promise<ShopRecord | undefined> {
  const row = await q.shopByShopUid.first(db, shopUid);
  return row ? toShopRecord(row) : undefined;
}

/** What the public widget config shows of an enabled shop (one query), or undefined. */
export async function findWidgetShop(db: Db, shopUid: string): Promise<{ orgUid: string; workgroupUid: string; name: string; logo: string | null } | undefined> {
  const r = await q.widgetShop.first(db, shopUid);
  if (!r || Number(r.enabled) !== 1 || !r.workgroup_uid) return undefined;
  return { orgUid: r.org_uid, workgroupUid: r.workgroup_uid, name: r.name, logo: r.logo };
}

/** Like findShopByShopUid, but a missing shop is a 404. */
export async function getShopOr404(db: Db, shopUid: string): Promise<ShopRecord> {
  const shop = await findShopByShopUid(db, shopUid);
  if (!shop) throw new ApiError(404, `shop not found: ${shopUid}`);
  return shop;
}

/** Seat as the API shows it; a seat past its expireAt reads EXPIRED. */
export function toSeat(r: SeatViewRow, tz: string, now: Date): AgentSeat {
  const expired = r.expire_at !== null && r.expire_at <= now.toISOString();
  return {
    uid: r.uid,
    userUid: null,
    orgUid: r.org_uid,
    level: null,
    platform: null,
    createdAt: formatTimestamp(new Date(r.created_at), tz),
    updatedAt: formatTimestamp(new Date(r.updated_at), tz),
    seatNo: r.seat_no,
    source: r.source,
    status: expired ? 'EXPIRED' : r.status,
    baseSeat: Number(r.base_seat) === 1,
    expireAt: isoOrNull(r.expire_at, tz),
    assignedAgentUid: r.assigned_agent_uid,
    assignedMemberUid: r.assigned_member_uid,
    assignedAt: isoOrNull(r.assigned_at, tz),
    releasedAt: isoOrNull(r.released_at, tz),
    type: r.type,
  };
}

/** The full shop object of the seed: the shop with its agents, live seats and workgroups. */
export async function loadShopView(db: Db, shop: ShopRecord, tz: string, now: Date): Promise<Shop> {
  const [agents, seats, workgroups] = await Promise.all([
    q.agentsOfShop.all(db, shop.uid),
    q.seatsOfShop.all(db, shop.uid),
    q.workgroupsOfShop.all(db, shop.uid),
  ]);
  return toShopView(shop, agents, seats, workgroups, tz, now);
}

/** Rows of the binding view by shopUid, exact on SQLite (db/prepared.ts readCache); one per database. */
export const shopRowsCache = (): ReadCache<ShopRows> => readCache<ShopRows>(1_000);

export interface ShopRows {
  row: Selectable<ShopsTable>;
  agents: AgentViewRow[];
  seats: SeatViewRow[];
  workgroups: WorkgroupViewRow[];
  /** The view made from these rows, reused while no seat's expiry falls between `from` and now. */
  made?: { tz: string; from: string; until: string | null; shop: ShopRecord; view: Shop };
}

/** The first seat expiry after `nowIso` (when the view's seat statuses change next), or null. */
function nextExpiry(seats: SeatViewRow[], nowIso: string): string | null {
  let next: string | null = null;
  for (const s of seats) if (s.expire_at !== null && s.expire_at > nowIso && (next === null || s.expire_at < next)) next = s.expire_at;
  return next;
}

/**
 * The shop `shopUid` and its full view, or undefined when there is no such shop. On SQLite the four
 * queries run in one read transaction (db/prepared.ts directRead): one lock, one snapshot; on
 * PostgreSQL they are one query. Their rows are served from a cache while nothing has been written
 * (db/prepared.ts readCache).
 */
export async function loadShopWithView(
  db: Db,
  cache: ReadCache<ShopRows>,
  shopUid: string,
  tz: string,
  now: Date,
): Promise<{ shop: ShopRecord; view: Shop } | undefined> {
  let rows = cache.read(db, shopUid, (read) => {
    const row = q.shopByShopUid.allSync(read, shopUid)[0];
    if (!row) return undefined;
    return { row, agents: q.agentsOfShop.allSync(read, row.uid), seats: q.seatsOfShop.allSync(read, row.uid), workgroups: q.workgroupsOfShop.allSync(read, row.uid) };
  });
  if (rows === NOT_CACHED) {
    if (!(db.getExecutor().adapter instanceof PostgresAdapter)) {
      // SQLite inside a transaction.
      const shop = await findShopByShopUid(db, shopUid);
      return shop ? { shop, view: await loadShopView(db, shop, tz, now) } : undefined;
    }
    // PostgreSQL: one query, cached while no instance has written (db/changes.ts).
    rows = await cache.readAsync(db, shopUid, async () => {
      const r = await q.shopWithViewRows.first(db, shopUid);
      if (!r) return undefined;
      const { view_agents, view_seats, view_workgroups, ...row } = r;
      return { row, agents: view_agents, seats: view_seats, workgroups: view_workgroups };
    });
  }
  if (!rows) return undefined;
  // Seat statuses depend on `now`: the view is remade once a seat's expiry has passed.
  const nowIso = now.toISOString();
  let made = rows.made;
  if (made === undefined || made.tz !== tz || nowIso < made.from || (made.until !== null && nowIso >= made.until)) {
    const shop = toShopRecord(rows.row);
    const view = toShopView(shop, rows.agents, rows.seats, rows.workgroups, tz, now);
    made = rows.made = { tz, from: nowIso, until: nextExpiry(rows.seats, nowIso), shop, view };
  }
  return { shop: made.shop, view: made.view };
}

/** Views of every shop of a user (onboard's `shopList`): four queries whatever the number of shops. */
export async function loadUserShopViews(db: Db, userUid: string, tz: string, now: Date): Promise<Shop[]> {
  const [shops, agents, seats, workgroups] = await Promise.all([
    q.shopsOfUser.all(db, userUid),
    q.agentsOfUser.all(db, userUid),
    q.seatsOfUser.all(db, userUid),
    q.workgroupsOfUser.all(db, userUid),
  ]);
  const group = <T extends { shop_uid: string }>(rows: T[]) => {
    const m = new Map<string, T[]>();
    for (const r of rows) {
      const list = m.get(r.shop_uid);
      if (list) list.push(r);
      else m.set(r.shop_uid, [r]);
    }
    return m;
  };
  const a = group(agents);
  const s = group(seats);
  const w = group(workgroups);
  return shops.map((row) => toShopView(toShopRecord(row), a.get(row.uid) ?? [], s.get(row.uid) ?? [], w.get(row.uid) ?? [], tz, now));
}

/** Maps a shop and its rows (already in API order) to the seed's shop object. */
export function toShopView(
  shop: ShopRecord,
  agents: AgentViewRow[],
  seats: SeatViewRow[],
  workgroups: WorkgroupViewRow[],
  tz: string,
  now: Date,
): Shop {
  return {
    uid: shop.uid,
    userUid: shop.userUid,
    orgUid: shop.orgUid,
    level: null,
    platform: null,
    createdAt: formatTimestamp(new Date(shop.createdAt), tz),
    updatedAt: formatTimestamp(new Date(shop.updatedAt), tz),
    name: shop.name,
    shopUid: shop.shopUid,
    description: shop.description,
    logo: shop.logo,
    type: shop.type,
    status: null,
    expireAt: null,
    enabled: shop.enabled,
    vipLevel: shop.vipLevel,
    agents: agents.map((a) => ({
      uid: a.uid,
      nickname: a.nickname,
      avatar: null,
      status: null,
      enabled: Number(a.enabled) === 1,
      seatExpireAt: null,
    })),
    agentSeats: seats.map((s) => toSeat(s, tz, now)),
    workgroups: workgroups.map((w) => ({
      uid: w.uid,
      nickname: w.nickname,
      avatar: null,
      type: null,
      status: null,
      enabled: Number(w.enabled) === 1,
    })),
  };
}

export interface ServiceContext {
  db: Kysely<Database>;
  dialect: 'sqlite' | 'postgres';
  timezone: string;
  autoRegister: boolean;
  now: () => Date;
  events: ShopEvents;
  /** SQLite: the group commit of onboards (one per database; see onboard). */
  onboardBatcher?: OnboardBatcher | undefined;
}

/** Runs `fn` in a transaction, retrying PostgreSQL serialization failures and unique races. */
export async function inTransaction<T>(ctx: Pick<ServiceContext, 'db'>, fn: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await ctx.db.transaction().execute(fn);
    } catch (err) {
      if (attempt < 5 && isRetryableTxError(err) && !(err instanceof ApiError)) {
        await new Promise((r) => setTimeout(r, 5 + Math.random() * 20 * (attempt + 1)));
        continue;
      }
      throw err;
    }
  }
}

/**
 * Onboard: one transaction, idempotent and race-safe (unique constraints + on conflict do nothing).
 * A new user onboarding a new shop — the common case — takes ten statements and reads nothing back:
 * its `shopList` is built from the rows just written.
 *
 * On SQLite, concurrent onboards share a transaction (group commit, see OnboardBatcher): a commit
 * writes every page it changed to the WAL, ~26 pages for one onboard, and most of them (table ends,
 * index roots) are the same pages for the next one. Each onboard runs in its own savepoint, so one
 * that fails is rolled back alone; every caller is answered only after the shared commit.
 */
export async function onboard(ctx: ServiceContext, req: OnboardRequest): Promise<OnboardData> {
  if (ctx.onboardBatcher) return ctx.onboardBatcher.submit(ctx, req);
  if (ctx.dialect === 'postgres' && ctx.autoRegister) {
    const fresh = await onboardFresh(ctx, req);
    if (fresh) return fresh;
  }
  let changed: string | undefined;
  const result = await inTransaction(ctx, async (trx) => {
    const r = await onboardIn(trx, ctx, req);
    changed = r.changed;
    return r.data;
  });
  if (changed) ctx.events.shopChanged(changed);
  return result;
}

/** The workgroup, base seat and agent a new shop starts with (as its rows are written and read). */
function newShopRows(o: { orgUid: string; shopRowUid: string; shopUid: string; shopName: string; userUid: string; mobile: string; ts: string }) {
  const workgroup: Selectable<WorkgroupsTable> = {
    uid: newUid('wg'),
    org_uid: o.orgUid,
    shop_uid: o.shopRowUid,
    nickname: o.shopName,
    enabled: 1,
    created_at: o.ts,
    updated_at: o.ts,
  };
  const seat: Selectable<SeatsTable> = newSeatRow({ uid: newUid('seat'), orgUid: o.orgUid, shopUid: o.shopRowUid, seatNo: `${o.shopUid}-base-1`, base: true, expireAt: null, ts: o.ts });
  const agent: Selectable<AgentsTable> = {
    uid: newUid('agent'),
    org_uid: o.orgUid,
    shop_uid: o.shopRowUid,
    user_uid: o.userUid,
    nickname: o.mobile,
    enabled: 1,
    created_at: o.ts,
    updated_at: o.ts,
  };
  return { workgroup, seat, agent };
}

// PostgreSQL: the common onboard, a new user with a new shop, as one statement (one round trip
// instead of eleven). The rows are inserted by data-modifying CTEs that all select from `fresh`,
// which holds a row only while neither the user nor the shop exists in the statement's snapshot. A
// statement is atomic: an onboard of the same user or shop committed concurrently makes it fail on
// a unique constraint having written nothing. Either way the general path then runs.
// Parameters: $1 user uid, $2 mobile, $3 country, $4 org uid, $5 shop row uid, $6 shopUid,
// $7 shop name, $8 logo, $9 workgroup uid, $10 seat uid, $11 seat no, $12 agent uid, $13 time.
const onboardFreshPostgres = preparedPostgres<[string, string, string, string, string, string, string, string | null, string, string, string, string, string], Selectable<ShopsTable>>(
  `with fresh as (
    select 1 where not exists (select 1 from users where country = $3::text and mobile = $2::text)
      and not exists (select 1 from shops where shop_uid = $6::text)
  ), o as (
    insert into orgs (uid, name, vip_level, created_at, updated_at) select $4::text, $7::text, 0, $13::text, $13::text from fresh
  ), u as (
    insert into users (uid, mobile, country, current_org_uid, created_at, updated_at) select $1::text, $2::text, $3::text, $4::text, $13::text, $13::text from fresh
  ), s as (
    insert into shops (uid, shop_uid, org_uid, user_uid, name, logo, type, enabled, vip_level, created_at, updated_at)
    select $5::text, $6::text, $4::text, $1::text, $7::text, $8::text, 'FLAGSHIP', 1, 0, $13::text, $13::text from fresh
    returning *
  ), w as (
    insert into workgroups (uid, org_uid, shop_uid, nickname, enabled, created_at, updated_at) select $9::text, $4::text, $5::text, $7::text, 1, $13::text, $13::text from fresh
  ), seat as (
    insert into seats (uid, org_uid, shop_uid, seat_no, source, status, base_seat, type, created_at, updated_at)
    select $10::text, $4::text, $5::text, $11::text, 'BASE', 'AVAILABLE', 1, 'CUSTOMER', $13::text, $13::text from fresh
  ), a as (
    insert into agents (uid, org_uid, shop_uid, user_uid, nickname, enabled, created_at, updated_at) select $12::text, $4::text, $5::text, $1::text, $2::text, 1, $13::text, $13::text from fresh
  ), us as (
    insert into user_shops (user_uid, shop_uid, created_at) select $1::text, $5::text, $13::text from fresh
  )
  select * from s`,
  13,
);

/** The PostgreSQL one-statement onboard (above); undefined when the user or the shop exists. */
async function onboardFresh(ctx: ServiceContext, req: OnboardRequest): Promise<OnboardData | undefined> {
  const now = ctx.now();
  const ts = toDbTime(now);
  const userUid = newUid('user');
  const orgUid = newUid('org');
  const shopRowUid = newUid('shop');
  const shopName = req.shopName ?? req.shopUid;
  const rows = newShopRows({ orgUid, shopRowUid, shopUid: req.shopUid, shopName, userUid, mobile: req.mobile, ts });
  let shopRow: Selectable<ShopsTable> | undefined;
  try {
    shopRow = await onboardFreshPostgres.first(
      ctx.db, userUid, req.mobile, req.country, orgUid, shopRowUid, req.shopUid, shopName, req.shopLogo ?? null,
      rows.workgroup.uid, rows.seat.uid, rows.seat.seat_no, rows.agent.uid, ts,
    );
  } catch (err) {
    if (isRetryableTxError(err)) return undefined;
    throw err;
  }
  if (!shopRow) return undefined;
  const shopList = [toShopView(toShopRecord(shopRow), [rows.agent], [rows.seat], [rows.workgroup], ctx.timezone, now)];
  return { mobile: req.mobile, country: req.country, shopList };
}

/** The statements of one onboard, inside the caller's transaction. */
async function onboardIn(trx: Transaction<Database>, ctx: ServiceContext, req: OnboardRequest): Promise<{ data: OnboardData; changed?: string }> {
  let changed: string | undefined;
  const now = ctx.now();
  const ts = toDbTime(now);
  const country = req.country;
  const mobile = req.mobile;

  let user: Selectable<UsersTable> | undefined = await q.userByMobile.first(trx, country, mobile);
  let shopRow = await q.shopByShopUid.first(trx, req.shopUid);
  // The organisation a new shop would get, chosen now so a new user is inserted with it.
  const newOrgUid = shopRow ? undefined : newUid('org');
  let userCreated = false;
  if (!user) {
    if (!ctx.autoRegister) {
      throw new ApiError(404, `mobile: user not registered and auto registration is disabled (SHOP_CHAT_AUTO_REGISTER=false)`);
    }
    user = await q.insertUser.first(trx, newUid('user'), mobile, country, shopRow ? shopRow.org_uid : newOrgUid!, ts);
    if (user) userCreated = true;
    else user = (await q.userByMobile.first(trx, country, mobile))!; // inserted concurrently
    if (!user) throw new Error('onboard: user vanished');
  }

  let created = false;
  let createdRows: { agent: Selectable<AgentsTable>; seat: Selectable<SeatsTable>; workgroup: Selectable<WorkgroupsTable> } | undefined;
  if (!shopRow) {
    const orgUid = newOrgUid!;
    const shopName = req.shopName ?? req.shopUid;
    await q.insertOrg.run(trx, orgUid, shopName, ts);
    const inserted = await q.insertShop.first(trx, newUid('shop'), req.shopUid, orgUid, user.uid, shopName, req.shopLogo ?? null, ts);
    if (inserted) {
      created = true;
      shopRow = inserted;
      const rows = newShopRows({ orgUid, shopRowUid: inserted.uid, shopUid: req.shopUid, shopName, userUid: user.uid, mobile, ts });
      await q.insertWorkgroup.run(trx, rows.workgroup.uid, orgUid, inserted.uid, shopName, ts);
      await q.insertBaseSeat.run(trx, rows.seat.uid, orgUid, inserted.uid, rows.seat.seat_no, ts);
      createdRows = rows;
      // The new shop's organisation becomes the user's current one.
      if (user.current_org_uid !== orgUid) {
        await q.setCurrentOrg.run(trx, orgUid, ts, user.uid);
        user = { ...user, current_org_uid: orgUid, updated_at: ts };
      }
    } else {
      // Another onboard created the shop concurrently: drop our organisation, reuse theirs.
      await q.deleteOrg.run(trx, orgUid);
      shopRow = (await q.shopByShopUid.first(trx, req.shopUid))!;
      if (!shopRow) throw new Error('onboard: shop vanished');
      if (user.current_org_uid === orgUid) {
        // A new user was inserted with the organisation just dropped.
        await q.setCurrentOrg.run(trx, shopRow.org_uid, ts, user.uid);
        user = { ...user, current_org_uid: shopRow.org_uid, updated_at: ts };
      }
    }
  }

  if (!created && (req.shopName !== undefined || req.shopLogo !== undefined)) {
    const changes: { name?: string; logo?: string; updated_at: string } = { updated_at: ts };
    if (req.shopName !== undefined && req.shopName !== shopRow.name) changes.name = req.shopName;
    if (req.shopLogo !== undefined && req.shopLogo !== shopRow.logo) changes.logo = req.shopLogo;
    if (changes.name !== undefined || changes.logo !== undefined) {
      shopRow = await trx.updateTable('shops').set(changes).where('uid', '=', shopRow.uid).returningAll().executeTakeFirstOrThrow();
      changed = shopRow.shop_uid;
    }
  }

  const agentUid = createdRows ? createdRows.agent.uid : newUid('agent');
  await q.insertAgent.run(trx, agentUid, shopRow.org_uid, shopRow.uid, user.uid, mobile, ts);
  await q.insertUserShop.run(trx, user.uid, shopRow.uid, ts);
  if (!created && user.current_org_uid === null) {
    await q.setCurrentOrg.run(trx, shopRow.org_uid, ts, user.uid);
  }

  // A user created here with a shop created here has exactly that shop, with the rows just written.
  if (userCreated && createdRows) {
    const { agent, seat, workgroup } = createdRows;
    const shopList = [toShopView(toShopRecord(shopRow), [agent], [seat], [workgroup], ctx.timezone, now)];
    return { data: { mobile: user.mobile, country: user.country, shopList }, changed };
  }
  const shopList = await loadUserShopViews(trx, user.uid, ctx.timezone, now);
  return { data: { mobile: user.mobile, country: user.country, shopList }, changed };
}

const savepoint = preparedRaw('savepoint onboard_item');
const releaseSavepoint = preparedRaw('release onboard_item');
const rollbackToSavepoint = preparedRaw('rollback to onboard_item');

interface OnboardJob {
  ctx: ServiceContext;
  req: OnboardRequest;
  resolve(data: OnboardData): void;
  reject(err: unknown): void;
  outcome?: { ok: true; data: OnboardData; changed?: string | undefined } | { ok: false; error: unknown };
}

/** Most onboards in one transaction: bounds the time the event loop spends in one commit. */
const ONBOARD_BATCH_MAX = 64;

/** Group commit of the onboards of one SQLite database (see onboard); `ctx` supplies the database. */
export class OnboardBatcher {
  private queue: OnboardJob[] = [];
  private scheduled = false;
  private running = false;

  constructor(private readonly ctx: ServiceContext) {}

  submit(ctx: ServiceContext, req: OnboardRequest): Promise<OnboardData> {
    return new Promise((resolve, reject) => {
      this.queue.push({ ctx, req, resolve, reject });
      this.schedule();
    });
  }

  /** Runs after this turn's I/O callbacks: every onboard that arrived with them joins the group. */
  private schedule(): void {
    if (this.scheduled || this.running) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.run();
    });
  }

  private async run(): Promise<void> {
    this.running = true;
    const jobs = this.queue.splice(0, ONBOARD_BATCH_MAX);
    try {
      await inTransaction(this.ctx, async (trx) => {
        for (const job of jobs) job.outcome = await this.runInSavepoint(trx, job);
      });
      this.answer(jobs);
    } catch (err) {
      // Nothing of the group was written. Busy past the deadline or unreachable: that is every
      // job's answer. Anything else (a commit that failed): each job runs alone, so only the one
      // that causes it fails.
      if (isDatabaseUnavailable(err)) for (const job of jobs) job.reject(err);
      else await this.runAlone(jobs);
    } finally {
      this.running = false;
      if (this.queue.length > 0) this.schedule();
    }
  }

  /**
   * One job in its own savepoint: on failure only its statements are rolled back. A race the
   * whole transaction would retry (a unique conflict, a stale snapshot) retries just this job.
   */
  private async runInSavepoint(trx: Transaction<Database>, job: OnboardJob): Promise<NonNullable<OnboardJob['outcome']>> {
    for (let attempt = 0; ; attempt++) {
      await savepoint.run(trx);
      try {
        const r = await onboardIn(trx, job.ctx, job.req);
        await releaseSavepoint.run(trx);
        return { ok: true, data: r.data, changed: r.changed };
      } catch (error) {
        await rollbackToSavepoint.run(trx);
        await releaseSavepoint.run(trx);
        if (attempt < 3 && isRetryableTxError(error) && !(error instanceof ApiError)) continue;
        return { ok: false, error };
      }
    }
  }

  private async runAlone(jobs: OnboardJob[]): Promise<void> {
    for (const job of jobs) {
      try {
        job.outcome = await inTransaction(this.ctx, (trx) => this.runInSavepoint(trx, job));
      } catch (error) {
        job.outcome = { ok: false, error };
      }
      this.answer([job]);
    }
  }

  private answer(jobs: OnboardJob[]): void {
    for (const job of jobs) {
      const o = job.outcome!;
      if (o.ok) {
        if (o.changed) this.ctx.events.shopChanged(o.changed);
        job.resolve(o.data);
      } else job.reject(o.error);
    }
  }
}

/** Update name and/or logo of a shop (and its workgroup's name). */
export async function updateShop(ctx: ServiceContext, shop: ShopRecord, req: ShopUpdateRequest): Promise<Shop> {
  return inTransaction(ctx, async (trx) => {
    const now = ctx.now();
    const ts = toDbTime(now);
    const changes: { name?: string; logo?: string; updated_at: string } = { updated_at: ts };
    if (req.shopName !== undefined) changes.name = req.shopName;
    if (req.shopLogo !== undefined) changes.logo = req.shopLogo;
    const row = await trx.updateTable('shops').set(changes).where('uid', '=', shop.uid).returningAll().executeTakeFirstOrThrow();
    return loadShopView(trx, toShopRecord(row), ctx.timezone, now);
  }).finally(() => ctx.events.shopChanged(shop.shopUid));
}

/** VIP level of the shop and its organisation; seats and their expiry are untouched. */
export async function setVipLevel(ctx: ServiceContext, shop: ShopRecord, req: VipLevelRequest): Promise<Shop> {
  return inTransaction(ctx, async (trx) => {
    const now = ctx.now();
    const ts = toDbTime(now);
    const vipExpire = req.vipExpireDate !== undefined ? toDbTime(new Date(req.vipExpireDate)) : undefined;
    const row = await trx
      .updateTable('shops')
      .set({ vip_level: req.vipLevel, updated_at: ts, ...(vipExpire !== undefined ? { vip_expire_date: vipExpire } : {}) })
      .where('uid', '=', shop.uid)
      .returningAll()
      .executeTakeFirstOrThrow();
    await trx
      .updateTable('orgs')
      .set({
        vip_level: req.vipLevel,
        updated_at: ts,
        ...(vipExpire !== undefined ? { vip_expire_date: vipExpire } : {}),
        ...(req.maxMembers !== undefined ? { max_members: req.maxMembers } : {}),
        ...(req.maxAgents !== undefined ? { max_agents: req.maxAgents } : {}),
        ...(req.maxWorkgroups !== undefined ? { max_workgroups: req.maxWorkgroups } : {}),
      })
      .where('uid', '=', shop.orgUid)
      .execute();
    return loadShopView(trx, toShopRecord(row), ctx.timezone, now);
  });
}
