import type { AgentSeat, SpringPage } from '../../shared/api/index.ts';
import { toSpringPage } from '../../shared/api/page.ts';
import { newUid } from '../crypto.ts';
import { boundInt, directRead, prepared } from '../db/prepared.ts';
import { ApiError, isUniqueViolation } from '../errors.ts';
import { toDbTime } from '../time.ts';
import { SEAT_VIEW_COLUMNS, inTransaction, liveSeatsOfShop, newSeatRow, toSeat, type ServiceContext, type ShopRecord } from './shops.ts';

/** `seatNoList`, else the single `seatNo`; duplicates in the request are a 409. */
export function seatNumbers(req: { seatNoList?: string[] | undefined; seatNo?: string | undefined }): string[] {
  const list = req.seatNoList && req.seatNoList.length > 0 ? req.seatNoList : req.seatNo !== undefined ? [req.seatNo] : [];
  const seen = new Set<string>();
  for (const no of list) {
    if (seen.has(no)) throw new ApiError(409, `seatNoList: duplicate seatNo ${no}`);
    seen.add(no);
  }
  return list;
}

const q = {
  liveSeatCount: prepared((db, shopUid: string) => liveSeatsOfShop(db, shopUid).select((eb) => eb.fn.countAll().as('n'))),
  liveSeatPage: prepared((db, shopUid: string, limit: number, offset: number) =>
    liveSeatsOfShop(db, shopUid).select(SEAT_VIEW_COLUMNS).orderBy('created_at').orderBy('seat_no').limit(boundInt(limit)).offset(boundInt(offset)),
  ),
};

export async function querySeats(ctx: ServiceContext, shop: ShopRecord, pageNumber: number, pageSize: number): Promise<SpringPage<AgentSeat>> {
  const offset = pageNumber * pageSize;
  // On SQLite the count and the page come from one read transaction (one snapshot).
  const found = directRead(ctx.db, (read) => ({
    total: q.liveSeatCount.allSync(read, shop.uid)[0]?.n,
    rows: q.liveSeatPage.allSync(read, shop.uid, pageSize, offset),
  })) ?? { total: (await q.liveSeatCount.first(ctx.db, shop.uid))?.n, rows: await q.liveSeatPage.all(ctx.db, shop.uid, pageSize, offset) };
  const now = ctx.now();
  return toSpringPage(
    found.rows.map((r) => toSeat(r, ctx.timezone, now)),
    pageNumber,
    pageSize,
    Number(found.total ?? 0),
  );
}

export async function getSeat(ctx: ServiceContext, shop: ShopRecord, seatNo: string): Promise<AgentSeat> {
  const row = await ctx.db
    .selectFrom('seats')
    .selectAll()
    .where('shop_uid', '=', shop.uid)
    .where('seat_no', '=', seatNo)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  if (!row) throw new ApiError(404, `seat not found: ${seatNo}`);
  return toSeat(row, ctx.timezone, ctx.now());
}

/** Live seats a shop may hold (SHOP_CHAT_MAX_SEATS_PER_SHOP): past ~20,000 a binding was 8.5 MB and 0.5 s of CPU. */
export const DEFAULT_MAX_SEATS_PER_SHOP = 1000;

export async function createSeats(
  ctx: ServiceContext,
  shop: ShopRecord,
  seatNos: string[],
  expireAt: string,
  maxSeats: number = DEFAULT_MAX_SEATS_PER_SHOP,
): Promise<AgentSeat[]> {
  try {
    return await inTransaction(ctx, async (trx) => {
      const now = ctx.now();
      const ts = toDbTime(now);
      // The count and the insert are one decision: PostgreSQL serialises creations per shop on the
      // shop's row (SQLite runs one write transaction at a time anyway).
      if (ctx.dialect === 'postgres') await trx.selectFrom('shops').select('uid').where('uid', '=', shop.uid).forUpdate().execute();
      const live = Number((await liveSeatsOfShop(trx, shop.uid).select((eb) => eb.fn.countAll().as('n')).executeTakeFirst())?.n ?? 0);
      if (live + seatNos.length > maxSeats) {
        throw new ApiError(409, `seat limit reached: shop ${shop.shopUid} has ${live} of at most ${maxSeats} seats, ${seatNos.length} more do not fit`);
      }
      const existing = await trx
        .selectFrom('seats')
        .select('seat_no')
        .where('org_uid', '=', shop.orgUid)
        .where('seat_no', 'in', seatNos)
        .where('deleted_at', 'is', null)
        .executeTakeFirst();
      if (existing) throw new ApiError(409, `seatNo already exists: ${existing.seat_no}`);
      const rows = await trx
        .insertInto('seats')
        .values(
          seatNos.map((seatNo) =>
            newSeatRow({ uid: newUid('seat'), orgUid: shop.orgUid, shopUid: shop.uid, seatNo, base: false, expireAt: toDbTime(new Date(expireAt)), ts }),
          ),
        )
        .returningAll()
        .execute();
      const byNo = new Map(rows.map((r) => [r.seat_no, r]));
      return seatNos.map((no) => toSeat(byNo.get(no)!, ctx.timezone, now));
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw new ApiError(409, 'seatNo already exists');
    throw err;
  }
}

async function liveSeatsOr404(trx: Parameters<Parameters<typeof inTransaction>[1]>[0], shop: ShopRecord, seatNos: string[]) {
  const rows = await trx
    .selectFrom('seats')
    .selectAll()
    .where('shop_uid', '=', shop.uid)
    .where('seat_no', 'in', seatNos)
    .where('deleted_at', 'is', null)
    .execute();
  const found = new Set(rows.map((r) => r.seat_no));
  const missing = seatNos.find((no) => !found.has(no));
  if (missing !== undefined) throw new ApiError(404, `seat not found: ${missing}`);
  return rows;
}

export async function updateSeats(ctx: ServiceContext, shop: ShopRecord, seatNos: string[], expireAt: string): Promise<AgentSeat[]> {
  return inTransaction(ctx, async (trx) => {
    const now = ctx.now();
    const ts = toDbTime(now);
    await liveSeatsOr404(trx, shop, seatNos);
    const rows = await trx
      .updateTable('seats')
      .set({ expire_at: toDbTime(new Date(expireAt)), updated_at: ts })
      .where('shop_uid', '=', shop.uid)
      .where('seat_no', 'in', seatNos)
      .where('deleted_at', 'is', null)
      .returningAll()
      .execute();
    const byNo = new Map(rows.map((r) => [r.seat_no, r]));
    return seatNos.map((no) => toSeat(byNo.get(no)!, ctx.timezone, now));
  });
}

/** Soft delete. */
export async function deleteSeats(ctx: ServiceContext, shop: ShopRecord, seatNos: string[]): Promise<true> {
  return inTransaction(ctx, async (trx) => {
    const ts = toDbTime(ctx.now());
    await liveSeatsOr404(trx, shop, seatNos);
    await trx
      .updateTable('seats')
      .set({ deleted_at: ts, updated_at: ts })
      .where('shop_uid', '=', shop.uid)
      .where('seat_no', 'in', seatNos)
      .where('deleted_at', 'is', null)
      .execute();
    return true as const;
  });
}
