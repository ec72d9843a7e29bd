// Reads a chat-page URL back, the way the Bytedesk visitor page reads it: names case-insensitive,
// the last duplicate winning. Never throws: a bad card is dropped and reported in `problems`.
import { LIMITS } from './rules.ts';
import { parseGoodsInfo, parseOrderInfo, type GoodsInfo, type OrderInfo, type ParseResult } from './cards.ts';

export interface ChatParams {
  org?: string;
  /** 0 agent, 1 workgroup, 2 robot. */
  t?: 0 | 1 | 2;
  sid?: string;
  visitorUid?: string;
  nickname?: string;
  avatar?: string;
  mobile?: string;
  email?: string;
  note?: string;
  vipLevel?: string;
  lang?: string;
  mode?: 'light' | 'dark' | 'system';
  /** `navbar=0`: the page draws no header of its own. */
  navbar?: boolean;
  goodsInfo?: GoodsInfo;
  orderInfo?: OrderInfo;
  /** Every parameter as received, decoded; names as last spelt, the last value of a name winning. */
  params: Record<string, string>;
  /** One line per dropped or ignored value, e.g. `goodsInfo.url: must be an http(s) URL`. */
  problems: string[];
}

const SIMPLE = ['org', 'sid', 'visitorUid', 'nickname', 'avatar', 'mobile', 'email', 'note', 'vipLevel', 'lang'] as const;

/** The query of a string, a URL or a location-like object (its `search`), without `?` and `#…`. */
function queryOf(input: unknown): string {
  const search = typeof input === 'string' ? input : (input as { search?: unknown } | null | undefined)?.search;
  if (typeof search !== 'string') return '';
  const q = search.indexOf('?');
  const s = q >= 0 ? search.slice(q + 1) : search;
  const h = s.indexOf('#');
  return h >= 0 ? s.slice(0, h) : s;
}

function card<T>(name: string, raw: string | undefined, parse: (v: unknown) => ParseResult<T>, problems: string[]): T | undefined {
  if (!raw) return undefined;
  if (raw.length > LIMITS.param) {
    problems.push(`${name}: over ${LIMITS.param} characters, ignored`);
    return undefined;
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    problems.push(`${name}: not valid JSON, ignored`);
    return undefined;
  }
  const r = parse(json);
  if (r.ok) return r.value;
  problems.push(`${name}${r.problem.startsWith('(root)') ? r.problem.slice(6) : '.' + r.problem}, ignored`);
  return undefined;
}

/** Parses a chat-page query string (or URL / location) into its parameters and validated cards. */
export function parseChatParams(search: string | URL | { search: string }): ChatParams {
  const problems: string[] = [];
  // lower-cased name → [name as spelt, value]; a Map, so `__proto__` is a name like any other
  const byName = new Map<string, [string, string]>();
  for (const pair of queryOf(search).split('&')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    const rawKey = eq >= 0 ? pair.slice(0, eq) : pair;
    const rawValue = eq >= 0 ? pair.slice(eq + 1) : '';
    try {
      const key = decodeURIComponent(rawKey.replace(/\+/g, ' '));
      byName.set(key.toLowerCase(), [key, decodeURIComponent(rawValue.replace(/\+/g, ' '))]);
    } catch {
      problems.push(`${rawKey.slice(0, 40)}: malformed percent-encoding, ignored`);
    }
  }
  // fromEntries defines own properties: a `__proto__` parameter is data, never the prototype
  const params: Record<string, string> = Object.fromEntries(byName.values());
  const get = (k: string) => byName.get(k.toLowerCase())?.[1] || undefined;
  const out: ChatParams = { params, problems };
  for (const k of SIMPLE) {
    const v = get(k);
    if (v === undefined) continue;
    if (v.length > LIMITS.url) problems.push(`${k}: over ${LIMITS.url} characters, ignored`);
    else out[k] = v;
  }
  const t = get('t');
  if (t === '0' || t === '1' || t === '2') out.t = Number(t) as 0 | 1 | 2;
  else if (t !== undefined) problems.push(`t: must be 0, 1 or 2, ignored`);
  const mode = get('mode');
  if (mode === 'light' || mode === 'dark' || mode === 'system') out.mode = mode;
  else if (mode !== undefined) problems.push(`mode: must be light, dark or system, ignored`);
  const navbar = get('navbar');
  if (navbar !== undefined) out.navbar = navbar !== '0' && navbar !== 'false';
  const goodsInfo = card('goodsInfo', get('goodsInfo'), parseGoodsInfo, problems);
  if (goodsInfo) out.goodsInfo = goodsInfo;
  const orderInfo = card('orderInfo', get('orderInfo'), parseOrderInfo, problems);
  if (orderInfo) out.orderInfo = orderInfo;
  return out;
}
