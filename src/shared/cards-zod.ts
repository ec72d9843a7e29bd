// zod schemas of goodsInfo / orderInfo for the server and the OpenAPI document, derived from the
// field table of card-spec.ts (the browser validates with the same table, without zod).
import { z } from 'zod';
import { GOODS_SPEC, MESSAGES, ORDER_SPEC, aliasUid, type FieldKind, type Spec } from './card-spec.ts';
import type * as T from './card-spec.ts';
import { text as textOf } from './api/common.ts';
import { HTTP_URL_RE, LIMITS, MINI_PATH_RE } from './rules.ts';

const text = (max: number) => textOf(max, { type: MESSAGES.type, long: MESSAGES.long(max) });
const num = z
  .union([z.number(), z.string().regex(/^\s*-?\d+(\.\d+)?\s*$/).transform(Number)], { error: MESSAGES.number })
  .pipe(z.number().refine(Number.isFinite, MESSAGES.number).refine((n) => n >= 0, MESSAGES.negative));

function kind(f: FieldKind): z.ZodType {
  switch (f.k) {
    case 'id':
      // The browser's messages: a missing uid is "required", a wrong type "must be a string".
      return z
        .union([text(LIMITS.uid), z.number().refine(Number.isFinite)], { error: (issue) => (issue.input === undefined ? MESSAGES.required : MESSAGES.type) })
        .transform(String);
    case 'text':
      return text(f.max);
    case 'url':
      return text(LIMITS.url).regex(HTTP_URL_RE, MESSAGES.url).meta({ format: 'uri' });
    case 'path':
      return text(LIMITS.path).regex(MINI_PATH_RE, MESSAGES.path);
    case 'num':
      return num;
    case 'int':
      return num.pipe(z.number().int(MESSAGES.integer));
    case 'enum':
      return z.enum(f.values as [string, ...string[]], { error: MESSAGES.oneOf(f.values) });
    case 'tags':
      return z.array(text(LIMITS.tag), { error: MESSAGES.list }).max(LIMITS.tags, MESSAGES.tooMany);
    case 'extra':
      return z
        .union([z.string(), z.record(z.string(), z.unknown())], { error: MESSAGES.type })
        .transform((v) => (typeof v === 'string' ? v : JSON.stringify(v)))
        .pipe(text(LIMITS.extra));
    case 'obj':
      return object(f.fields);
    case 'goods':
      return z.union([goodsSchema, z.array(goodsSchema).max(LIMITS.goodsPerOrder, MESSAGES.tooMany)], { error: goodsProblem });
  }
}

/** A bad `goods`: the problem of the form it was sent in (one object, or a list), not "Invalid input". */
function goodsProblem(issue: { input?: unknown; errors?: Array<Array<{ path: PropertyKey[]; message: string }>> }): string {
  // Not an object at all: the object branch says so ("must be an object").
  const first = issue.errors?.[Array.isArray(issue.input) ? 1 : 0]?.[0];
  if (!first) return MESSAGES.object;
  return first.path.length ? `${first.path.join('.')}: ${first.message}` : first.message;
}

function object(spec: Spec) {
  const shape: Record<string, z.ZodType> = {};
  for (const [key, f] of Object.entries(spec)) {
    const s = kind(f);
    // null counts as absent, as in the browser's validator
    shape[key] = f.k === 'id' ? s : s.nullish().transform((v) => v ?? undefined);
  }
  return z.object(shape, { error: MESSAGES.object });
}

const goodsSchema: z.ZodType<T.GoodsInfo> = z.preprocess(aliasUid, object(GOODS_SPEC)) as unknown as z.ZodType<T.GoodsInfo>;

/** goodsInfo of seeds/000 §1.1; `goodsUid` accepted for `uid`, numeric strings coerced. */
export const GoodsInfo = goodsSchema.meta({ id: 'GoodsInfo' });
/** orderInfo of seeds/000 §1.1. */
export const OrderInfo = (object(ORDER_SPEC) as unknown as z.ZodType<T.OrderInfo>).meta({ id: 'OrderInfo' });
export type GoodsInfo = T.GoodsInfo;
export type OrderInfo = T.OrderInfo;
