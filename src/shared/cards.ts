// goodsInfo / orderInfo for the browser: validated by the field table of card-spec.ts.
// (zod/mini costs ~9 KB gzip here, more than the whole widget; the server's zod schemas are
// derived from the same table in cards-zod.ts.)
import { GOODS_SPEC, ORDER_SPEC, validateCard, type GoodsInfo, type OrderInfo, type ParseResult } from './card-spec.ts';

export type { GoodsInfo, OrderInfo, ShippingAddress, ParseResult } from './card-spec.ts';

type Loose<T> = { [K in keyof T]?: T[K] | (NonNullable<T[K]> extends number ? string : never) | null };
/** What callers may pass in: numbers as numeric strings, `goodsUid` for `uid`, `extra` as an object. */
export type GoodsInfoInput = Loose<Omit<GoodsInfo, 'extra'>> & {
  uid?: string | number;
  goodsUid?: string | number;
  extra?: string | Record<string, unknown> | null;
};
export type OrderInfoInput = Loose<Omit<OrderInfo, 'extra' | 'goods' | 'goodsList' | 'shippingAddress'>> & {
  uid?: string | number;
  goods?: GoodsInfoInput | GoodsInfoInput[] | null;
  goodsList?: GoodsInfoInput | GoodsInfoInput[] | null;
  shippingAddress?: Loose<NonNullable<OrderInfo['shippingAddress']>> | null;
  extra?: string | Record<string, unknown> | null;
};

export type CardKind = 'goods' | 'order';

export const parseGoodsInfo = (input: unknown): ParseResult<GoodsInfo> => validateCard(GOODS_SPEC, input);
export const parseOrderInfo = (input: unknown): ParseResult<OrderInfo> => validateCard(ORDER_SPEC, input);

const asList = (g: GoodsInfo | GoodsInfo[] | undefined): GoodsInfo[] => (g === undefined ? [] : Array.isArray(g) ? g : [g]);

/** The goods of an order as a list: `goodsList` when there is one, else `goods`, whichever form was sent. */
export function orderGoods(order: OrderInfo): GoodsInfo[] {
  const list = asList(order.goodsList);
  return list.length ? list : asList(order.goods);
}

/**
 * A card as it goes into a chat URL, the same for the launcher and `shop-chat/url`: validated by the
 * field table (`goodsUid` → `uid`, numeric strings → numbers, `extra` → a JSON string, unknown keys
 * dropped), and an order's goods as the page reads them: `goods` one object (the first), the whole
 * list in `goodsList` when there are more.
 */
export function normaliseCard(kind: 'goods', input: unknown): ParseResult<GoodsInfo>;
export function normaliseCard(kind: 'order', input: unknown): ParseResult<OrderInfo>;
export function normaliseCard(kind: CardKind, input: unknown): ParseResult<GoodsInfo | OrderInfo>;
export function normaliseCard(kind: CardKind, input: unknown): ParseResult<GoodsInfo | OrderInfo> {
  if (kind === 'goods') return parseGoodsInfo(input);
  const r = parseOrderInfo(input);
  if (!r.ok) return r;
  const list = orderGoods(r.value);
  const { goods: _g, goodsList: _l, ...rest } = r.value;
  const value: OrderInfo = list.length > 1 ? { ...rest, goods: list[0]!, goodsList: list } : list.length ? { ...rest, goods: list[0]! } : rest;
  return { ok: true, value };
}
