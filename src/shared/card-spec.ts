// The fields of goodsInfo / orderInfo (seeds/000 §1.1 and the Bytedesk visitor page), declared once.
// Two readers derive from this table: `validateCard` below (a few hundred bytes, for the browser
// bundles) and the zod schemas of cards-zod.ts (server, OpenAPI). Types are inferred from the table.
import { HTTP_URL_RE, LIMITS, MINI_PATH_RE, NO_NUL_RE, NUL_MESSAGE } from './rules.ts';

export type FieldKind =
  /** The card's uid: the one required field. */
  | { k: 'id' }
  | { k: 'text'; max: number }
  | { k: 'url' }
  | { k: 'path' }
  | { k: 'num' }
  | { k: 'int' }
  | { k: 'enum'; values: readonly string[] }
  | { k: 'tags' }
  | { k: 'extra' }
  | { k: 'obj'; fields: Spec }
  | { k: 'goods' };
export type Spec = { readonly [field: string]: FieldKind };

const text = (max: number) => ({ k: 'text', max }) as const;

export const GOODS_SPEC = {
  uid: { k: 'id' },
  type: text(LIMITS.type),
  shopUid: text(LIMITS.uid),
  title: text(LIMITS.title),
  description: text(LIMITS.description),
  price: { k: 'num' },
  image: { k: 'url' },
  url: { k: 'url' },
  quantity: { k: 'int' },
  status: { k: 'enum', values: ['ON_SHELF', 'OFF_SHELF'] },
  tagList: { k: 'tags' },
  extra: { k: 'extra' },
  navigateToPath: { k: 'path' },
} as const satisfies Spec;

export const ADDRESS_SPEC = {
  name: text(LIMITS.text),
  phone: text(LIMITS.phone),
  address: text(LIMITS.address),
} as const satisfies Spec;

export const ORDER_SPEC = {
  uid: { k: 'id' },
  type: text(LIMITS.type),
  visitorUid: text(LIMITS.uid),
  shopUid: text(LIMITS.uid),
  time: text(LIMITS.text),
  status: text(LIMITS.type),
  statusText: text(LIMITS.text),
  totalAmount: { k: 'num' },
  paymentMethod: text(LIMITS.text),
  goods: { k: 'goods' },
  /** The whole list when an order has more than one product (the chat page reads `goods` as one object). */
  goodsList: { k: 'goods' },
  shippingAddress: { k: 'obj', fields: ADDRESS_SPEC },
  extra: { k: 'extra' },
  navigateToPath: { k: 'path' },
} as const satisfies Spec;

type Simplify<T> = { [K in keyof T]: T[K] } & {};
type Out<F> = F extends { k: 'id' | 'text' | 'url' | 'path' | 'extra' }
  ? string
  : F extends { k: 'num' | 'int' }
    ? number
    : F extends { k: 'enum'; values: readonly (infer V)[] }
      ? V
      : F extends { k: 'tags' }
        ? string[]
        : F extends { k: 'obj'; fields: infer S }
          ? Infer<S>
          : F extends { k: 'goods' }
            ? GoodsInfo | GoodsInfo[]
            : never;
/** The validated object a spec describes: the id required, the rest optional. */
export type Infer<S> = Simplify<
  { [P in keyof S as S[P] extends { k: 'id' } ? P : never]: Out<S[P]> } & {
    [P in keyof S as S[P] extends { k: 'id' } ? never : P]?: Out<S[P]>;
  }
>;

export type GoodsInfo = Infer<typeof GOODS_SPEC>;
export type OrderInfo = Infer<typeof ORDER_SPEC>;
export type ShippingAddress = Infer<typeof ADDRESS_SPEC>;

// ---- the browser's validator -------------------------------------------------------------------

export const MESSAGES = {
  required: 'required',
  type: 'must be a string',
  object: 'must be an object',
  number: 'must be a number',
  negative: 'must not be negative',
  integer: 'must be an integer',
  url: 'must be an http(s) URL',
  path: 'must be a mini-program path beginning with /',
  list: 'must be a list',
  tooMany: 'too many items',
  long: (max: number) => `at most ${max} characters`,
  oneOf: (values: readonly string[]) => `must be one of ${values.join(', ')}`,
} as const;

/** A validation failure; the path is filled in on the way out, so valid input builds no paths. */
class Problem {
  path: string[] = [];
  constructor(public message: string) {}
}

/** Prefixes `key` to a Problem's path (other errors pass through unchanged). */
function under(e: unknown, key: string): unknown {
  if (e instanceof Problem) e.path.unshift(key);
  return e;
}

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
const own = (o: Record<string, unknown>, k: string) => (Object.prototype.hasOwnProperty.call(o, k) ? o[k] : undefined);

function str(v: unknown, max: number): string {
  if (typeof v !== 'string') throw new Problem(MESSAGES.type);
  if (v.length > max) throw new Problem(MESSAGES.long(max));
  if (!NO_NUL_RE.test(v)) throw new Problem(NUL_MESSAGE);
  return v;
}

function num(v: unknown): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(v) ? Number(v) : NaN;
  if (!Number.isFinite(n)) throw new Problem(MESSAGES.number);
  if (n < 0) throw new Problem(MESSAGES.negative);
  return n;
}

/** `check` of every item of a list, a failure's path starting with the item's index. */
function list<T>(v: unknown[], check: (item: unknown) => T): T[] {
  return v.map((item, i) => {
    try {
      return check(item);
    } catch (e) {
      throw under(e, String(i));
    }
  });
}

function field(f: FieldKind, v: unknown): unknown {
  switch (f.k) {
    case 'id':
      return typeof v === 'number' && Number.isFinite(v) ? String(v) : str(v, LIMITS.uid);
    case 'text':
      return str(v, f.max);
    case 'url':
      if (!HTTP_URL_RE.test(str(v, LIMITS.url))) throw new Problem(MESSAGES.url);
      return v;
    case 'path':
      if (!MINI_PATH_RE.test(str(v, LIMITS.path))) throw new Problem(MESSAGES.path);
      return v;
    case 'num':
      return num(v);
    case 'int': {
      const n = num(v);
      if (!Number.isSafeInteger(n)) throw new Problem(MESSAGES.integer);
      return n;
    }
    case 'enum':
      if (!f.values.includes(v as string)) throw new Problem(MESSAGES.oneOf(f.values));
      return v;
    case 'tags':
      if (!Array.isArray(v)) throw new Problem(MESSAGES.list);
      if (v.length > LIMITS.tags) throw new Problem(MESSAGES.tooMany);
      return list(v, (t) => str(t, LIMITS.tag));
    case 'extra':
      return str(isObject(v) ? JSON.stringify(v) : v, LIMITS.extra);
    case 'obj':
      return object(f.fields, v);
    case 'goods':
      if (!Array.isArray(v)) return object(GOODS_SPEC, aliasUid(v));
      if (v.length > LIMITS.goodsPerOrder) throw new Problem(MESSAGES.tooMany);
      return list(v, (g) => object(GOODS_SPEC, aliasUid(g)));
  }
}

/** Unknown keys are dropped, `null` counts as absent; output keys follow the spec's order. */
function object(spec: Spec, input: unknown): Record<string, unknown> {
  if (!isObject(input)) throw new Problem(MESSAGES.object);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(spec)) {
    const f = spec[key]!;
    const v = own(input, key);
    if (v === undefined || v === null) {
      if (f.k === 'id') throw under(new Problem(MESSAGES.required), key);
      continue;
    }
    try {
      out[key] = field(f, v);
    } catch (e) {
      throw under(e, key);
    }
  }
  return out;
}

/** Storefronts send `goodsUid` as often as `uid`: accept it as an alias. */
export function aliasUid(input: unknown): unknown {
  if (isObject(input) && (input.uid === undefined || input.uid === null) && own(input, 'goodsUid') != null) {
    return { ...input, uid: input.goodsUid };
  }
  return input;
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; problem: string };

/** Validates `input` against a spec: the value, or the first problem as `field.path: message`. */
export function validateCard<S extends Spec>(spec: S, input: unknown): ParseResult<Infer<S>> {
  try {
    return { ok: true, value: object(spec, spec === (GOODS_SPEC as Spec) ? aliasUid(input) : input) as Infer<S> };
  } catch (e) {
    if (!(e instanceof Problem)) throw e;
    return { ok: false, problem: `${e.path.length ? e.path.join('.') : '(root)'}: ${e.message}` };
  }
}
