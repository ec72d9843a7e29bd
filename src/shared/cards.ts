// goodsInfo / orderInfo for the browser: validated by the field table of card-spec.ts.
// (zod/mini costs ~9 KB gzip here, more than the whole widget; the server's zod schemas are
// derived from the same table in cards-zod.ts.)
import { GOODS_SPEC, ORDER_SPEC, validateCard, type GoodsInfo, type OrderInfo, type ParseResult } from './card-spec.ts';

export type { GoodsInfo, OrderInfo, ShippingAddress, ParseResult } from './card-spec.ts';

type Loose<T> = { [K in keyof T]?: T[K] | (T[K] extends number ? string : never) | null };
/** What callers may pass in: numbers as numeric strings, `goodsUid` for `uid`, `extra` as an object. */
export type GoodsInfoInput = Loose<Omit<GoodsInfo, 'extra'>> & {
  uid?: string | number;
  goodsUid?: string | number;
  extra?: string | Record<string, unknown> | null;
};
export type OrderInfoInput = Loose<Omit<OrderInfo, 'extra' | 'goods' | 'shippingAddress'>> & {
  uid?: string | number;
  goods?: GoodsInfoInput | GoodsInfoInput[] | null;
  shippingAddress?: Loose<NonNullable<OrderInfo['shippingAddress']>> | null;
  extra?: string | Record<string, unknown> | null;
};

export type CardKind = 'goods' | 'order';

export const parseGoodsInfo = (input: unknown): ParseResult<GoodsInfo> => validateCard(GOODS_SPEC, input);
export const parseOrderInfo = (input: unknown): ParseResult<OrderInfo> => validateCard(ORDER_SPEC, input);

/** The goods of an order as a list, whichever form was sent. */
export function orderGoods(order: OrderInfo): GoodsInfo[] {
  return order.goods === undefined ? [] : Array.isArray(order.goods) ? order.goods : [order.goods];
}
