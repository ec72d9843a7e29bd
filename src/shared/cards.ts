// goodsInfo / orderInfo of seeds/000 §1.1 and the Bytedesk visitor page: the single source of truth.
// zod/mini keeps the browser bundles small; the server imports the same schemas.
import * as z from 'zod/mini';
import { HTTP_URL_RE, LIMITS, MINI_PATH_RE } from './rules.ts';

const text = (max: number) => z.string().check(z.maxLength(max, `at most ${max} characters`));
const optText = (max: number) => z.optional(text(max));
const httpUrl = z.optional(
  z.string().check(z.maxLength(LIMITS.url), z.regex(HTTP_URL_RE, 'must be an http(s) URL')),
);
const miniPath = z.optional(
  z.string().check(
    z.maxLength(LIMITS.path),
    z.regex(MINI_PATH_RE, 'must be a mini-program path beginning with /'),
  ),
);

/** A number, or a numeric string coerced to one ("99.00" → 99). */
const numeric = z.pipe(
  z.union(
    [
      z.number(),
      z.pipe(z.string().check(z.regex(/^\s*-?\d+(\.\d+)?\s*$/)), z.transform(Number)),
    ],
    { error: 'must be a number' },
  ),
  z.number().check(z.refine(Number.isFinite, 'must be finite'), z.gte(0, 'must not be negative')),
);
const integer = z.pipe(numeric, z.number().check(z.refine(Number.isInteger, 'must be an integer')));

/** `extra` travels as a string; an object is accepted and serialized, never merged (no prototype games). */
const extra = z.optional(
  z.pipe(
    z.union([z.string(), z.record(z.string(), z.unknown())]),
    z.pipe(
      z.transform((v: string | Record<string, unknown>) => (typeof v === 'string' ? v : JSON.stringify(v))),
      text(LIMITS.extra),
    ),
  ),
);

/** Accepts `goodsUid` as an alias of `uid` (some storefronts send it). */
function aliasUid(input: unknown): unknown {
  if (input && typeof input === 'object' && !Array.isArray(input)) {
    const o = input as Record<string, unknown>;
    if (o.uid === undefined && o.goodsUid !== undefined) return { ...o, uid: o.goodsUid };
  }
  return input;
}

const goodsFields = z.object({
  uid: z.pipe(z.union([text(LIMITS.uid), z.number()]), z.transform(String)),
  type: optText(LIMITS.type),
  shopUid: optText(LIMITS.uid),
  title: optText(LIMITS.title),
  description: optText(LIMITS.description),
  price: z.optional(numeric),
  image: httpUrl,
  url: httpUrl,
  quantity: z.optional(integer),
  status: z.optional(z.enum(['ON_SHELF', 'OFF_SHELF'])),
  tagList: z.optional(z.array(text(LIMITS.tag)).check(z.maxLength(LIMITS.tags))),
  extra,
  navigateToPath: miniPath,
});

export const GoodsInfo = z.pipe(z.transform(aliasUid), goodsFields);
export type GoodsInfo = z.output<typeof goodsFields>;
/** What callers may pass in (numbers as strings, `goodsUid`, `extra` as an object). */
export type GoodsInfoInput = z.input<typeof goodsFields> & { goodsUid?: string | number };

export const ShippingAddress = z.object({
  name: optText(LIMITS.text),
  phone: optText(LIMITS.phone),
  address: optText(LIMITS.address),
});
export type ShippingAddress = z.output<typeof ShippingAddress>;

export const OrderInfo = z.object({
  uid: z.pipe(z.union([text(LIMITS.uid), z.number()]), z.transform(String)),
  type: optText(LIMITS.type),
  visitorUid: optText(LIMITS.uid),
  shopUid: optText(LIMITS.uid),
  time: optText(LIMITS.text),
  status: optText(LIMITS.type),
  statusText: optText(LIMITS.text),
  totalAmount: z.optional(numeric),
  paymentMethod: optText(LIMITS.text),
  goods: z.optional(z.union([GoodsInfo, z.array(GoodsInfo).check(z.maxLength(LIMITS.goodsPerOrder))])),
  shippingAddress: z.optional(ShippingAddress),
  extra,
  navigateToPath: miniPath,
});
export type OrderInfo = z.output<typeof OrderInfo>;
export type OrderInfoInput = z.input<typeof OrderInfo>;

export type CardKind = 'goods' | 'order';
export type ParseResult<T> = { ok: true; value: T } | { ok: false; problem: string };

function parseWith<T>(schema: z.ZodMiniType<T>, input: unknown): ParseResult<T> {
  const r = z.safeParse(schema, input);
  if (r.success) return { ok: true, value: r.data };
  const issue = r.error.issues[0];
  const at = issue && issue.path.length ? issue.path.join('.') : '(root)';
  return { ok: false, problem: `${at}: ${issue ? issue.message : 'invalid'}` };
}

export const parseGoodsInfo = (input: unknown): ParseResult<GoodsInfo> => parseWith(GoodsInfo, input);
export const parseOrderInfo = (input: unknown): ParseResult<OrderInfo> => parseWith(OrderInfo, input);

/** The goods of an order as a list, whichever form was sent. */
export function orderGoods(order: OrderInfo): GoodsInfo[] {
  return order.goods === undefined ? [] : Array.isArray(order.goods) ? order.goods : [order.goods];
}
