import type { Kysely, Selectable, Transaction } from 'kysely';
import type { AgentSeat, OnboardData, OnboardRequest, Shop, ShopUpdateRequest, VipLevelRequest } from '../../shared/api/index.ts';
import { newUid } from '../crypto.ts';
import type { Database, SeatsTable, ShopsTable } from '../db/types.ts';
import { ApiError, isRetryableTxError } from '../errors.ts';
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
  const row = await db.selectFrom('shops').selectAll().where('shop_uid', '=', shopUid).executeTakeFirst();
  return row ? toShopRecord(row) : undefined;
}

/** Like findShopByShopUid, but a missing shop is a 404. */
export async function getShopOr404(db: Db, shopUid: string): Promise<ShopRecord> {
  const shop = await findShopByShopUid(db, shopUid);
  if (!shop) throw new ApiError(404, `shop not found: ${shopUid}`);
  return shop;
}

/** Seat as the API shows it; a seat past its expireAt reads EXPIRED. */
export function toSeat(r: Selectable<SeatsTable>, tz: string, now: Date): AgentSeat {
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
    db.selectFrom('agents').selectAll().where('shop_uid', '=', shop.uid).orderBy('created_at').orderBy('uid').execute(),
    db
      .selectFrom('seats')
      .selectAll()
      .where('shop_uid', '=', shop.uid)
      .where('deleted_at', 'is', null)
      .orderBy('created_at')
      .orderBy('seat_no')
      .execute(),
    db.selectFrom('workgroups').selectAll().where('shop_uid', '=', shop.uid).orderBy('created_at').execute(),
  ]);
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

/** Onboard: one transaction, idempotent and race-safe (unique constraints + on conflict do nothing). */
export async function onboard(ctx: ServiceContext, req: OnboardRequest): Promise<OnboardData> {
  return inTransaction(ctx, async (trx) => {
    const now = ctx.now();
    const ts = toDbTime(now);
    const country = req.country;
    const mobile = req.mobile;

    let user = await trx.selectFrom('users').selectAll().where('country', '=', country).where('mobile', '=', mobile).executeTakeFirst();
    if (!user) {
      if (!ctx.autoRegister) {
        throw new ApiError(404, `mobile: user not registered and auto registration is disabled (SHOP_CHAT_AUTO_REGISTER=false)`);
      }
      await trx
        .insertInto('users')
        .values({ uid: newUid('user'), mobile, country, current_org_uid: null, created_at: ts, updated_at: ts })
        .onConflict((oc) => oc.columns(['country', 'mobile']).doNothing())
        .execute();
      user = await trx.selectFrom('users').selectAll().where('country', '=', country).where('mobile', '=', mobile).executeTakeFirstOrThrow();
    }

    let shopRow = await trx.selectFrom('shops').selectAll().where('shop_uid', '=', req.shopUid).executeTakeFirst();
    let created = false;
    if (!shopRow) {
      const orgUid = newUid('org');
      const shopName = req.shopName ?? req.shopUid;
      await trx
        .insertInto('orgs')
        .values({
          uid: orgUid,
          name: shopName,
          vip_level: 0,
          vip_expire_date: null,
          max_members: null,
          max_agents: null,
          max_workgroups: null,
          created_at: ts,
          updated_at: ts,
        })
        .execute();
      const inserted = await trx
        .insertInto('shops')
        .values({
          uid: newUid('shop'),
          shop_uid: req.shopUid,
          org_uid: orgUid,
          user_uid: user.uid,
          name: shopName,
          logo: req.shopLogo ?? null,
          description: null,
          type: 'FLAGSHIP',
          enabled: 1,
          vip_level: 0,
          vip_expire_date: null,
          created_at: ts,
          updated_at: ts,
        })
        .onConflict((oc) => oc.column('shop_uid').doNothing())
        .returningAll()
        .executeTakeFirst();
      if (inserted) {
        created = true;
        shopRow = inserted;
        await trx
          .insertInto('workgroups')
          .values({ uid: newUid('wg'), org_uid: orgUid, shop_uid: inserted.uid, nickname: shopName, enabled: 1, created_at: ts, updated_at: ts })
          .execute();
        await trx
          .insertInto('seats')
          .values({
            uid: newUid('seat'),
            org_uid: orgUid,
            shop_uid: inserted.uid,
            seat_no: `${req.shopUid}-base-1`,
            source: 'BASE',
            status: 'AVAILABLE',
            base_seat: 1,
            type: 'CUSTOMER',
            expire_at: null,
            assigned_agent_uid: null,
            assigned_member_uid: null,
            assigned_at: null,
            released_at: null,
            deleted_at: null,
            created_at: ts,
            updated_at: ts,
          })
          .execute();
        await trx.updateTable('users').set({ current_org_uid: orgUid, updated_at: ts }).where('uid', '=', user.uid).execute();
      } else {
        // Another onboard created the shop concurrently: drop our organisation, reuse theirs.
        await trx.deleteFrom('orgs').where('uid', '=', orgUid).execute();
        shopRow = await trx.selectFrom('shops').selectAll().where('shop_uid', '=', req.shopUid).executeTakeFirstOrThrow();
      }
    }

    if (!created && (req.shopName !== undefined || req.shopLogo !== undefined)) {
      const changes: { name?: string; logo?: string; updated_at: string } = { updated_at: ts };
      if (req.shopName !== undefined && req.shopName !== shopRow.name) changes.name = req.shopName;
      if (req.shopLogo !== undefined && req.shopLogo !== shopRow.logo) changes.logo = req.shopLogo;
      if (changes.name !== undefined || changes.logo !== undefined) {
        shopRow = await trx.updateTable('shops').set(changes).where('uid', '=', shopRow.uid).returningAll().executeTakeFirstOrThrow();
      }
    }

    await trx
      .insertInto('agents')
      .values({ uid: newUid('agent'), org_uid: shopRow.org_uid, shop_uid: shopRow.uid, user_uid: user.uid, nickname: mobile, enabled: 1, created_at: ts, updated_at: ts })
      .onConflict((oc) => oc.columns(['shop_uid', 'user_uid']).doNothing())
      .execute();
    await trx
      .insertInto('user_shops')
      .values({ user_uid: user.uid, shop_uid: shopRow.uid, created_at: ts })
      .onConflict((oc) => oc.columns(['user_uid', 'shop_uid']).doNothing())
      .execute();
    if (!created && user.current_org_uid === null) {
      await trx.updateTable('users').set({ current_org_uid: shopRow.org_uid, updated_at: ts }).where('uid', '=', user.uid).execute();
    }

    const shops = await trx
      .selectFrom('user_shops')
      .innerJoin('shops', 'shops.uid', 'user_shops.shop_uid')
      .selectAll('shops')
      .where('user_shops.user_uid', '=', user.uid)
      .orderBy('user_shops.created_at')
      .orderBy('shops.shop_uid')
      .execute();
    const shopList: Shop[] = [];
    for (const s of shops) shopList.push(await loadShopView(trx, toShopRecord(s), ctx.timezone, now));
    return { mobile: user.mobile, country: user.country, shopList };
  });
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
  });
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
