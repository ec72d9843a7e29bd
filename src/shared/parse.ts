// Reads a chat-page URL back. Never throws: a bad card is dropped and reported in `problems`.
import { LIMITS } from './rules.ts';
import { parseGoodsInfo, parseOrderInfo, type GoodsInfo, type OrderInfo, type ParseResult } from './cards.ts';

export interface ChatParams {
  org?: string;
  /** 0 agent, 1 workgroup, 2 robot. */
  t?: 0 | 1 | 2;
  sid?: string;
  uid?: string;
  nickname?: string;
  avatar?: string;
  lang?: string;
  mode?: 'light' | 'dark' | 'auto';
  goodsInfo?: GoodsInfo;
  orderInfo?: OrderInfo;
  /** Every parameter as received (first value wins), decoded. */
  params: Record<string, string>;
  /** One line per dropped or ignored value, e.g. `goodsInfo.url: must be an http(s) URL`. */
  problems: string[];
}

const SIMPLE = ['org', 'sid', 'uid', 'nickname', 'avatar', 'lang'] as const;

function queryOf(input: unknown): string {
  if (typeof input === 'string') {
    const q = input.indexOf('?');
    const s = q >= 0 ? input.slice(q + 1) : input;
    const h = s.indexOf('#');
    return h >= 0 ? s.slice(0, h) : s;
  }
  if (input && typeof input === 'object' && typeof (input as { search?: unknown }).search === 'string') {
    return queryOf((input as { search: string }).search);
  }
  return '';
}

function card<T>(name: string, raw: string | undefined, parse: (v: unknown) => ParseResult<T>, problems: string[]): T | undefined {
  if (raw === undefined || raw === '') return undefined;
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
  const params: Record<string, string> = {};
  for (const pair of queryOf(search).split('&')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    const rawKey = eq >= 0 ? pair.slice(0, eq) : pair;
    const rawValue = eq >= 0 ? pair.slice(eq + 1) : '';
    let key: string;
    let value: string;
    try {
      key = decodeURIComponent(rawKey.replace(/\+/g, ' '));
      value = decodeURIComponent(rawValue.replace(/\+/g, ' '));
    } catch {
      problems.push(`${rawKey.slice(0, 40)}: malformed percent-encoding, ignored`);
      continue;
    }
    if (!Object.prototype.hasOwnProperty.call(params, key)) {
      Object.defineProperty(params, key, { value, enumerable: true, writable: true, configurable: true });
    }
  }
  const own = (k: string) => (Object.prototype.hasOwnProperty.call(params, k) ? params[k] : undefined);
  const out: ChatParams = { params, problems };
  for (const k of SIMPLE) {
    const v = own(k);
    if (v === undefined || v === '') continue;
    if (v.length > LIMITS.url) problems.push(`${k}: over ${LIMITS.url} characters, ignored`);
    else out[k] = v;
  }
  const t = own('t');
  if (t !== undefined && t !== '') {
    if (t === '0' || t === '1' || t === '2') out.t = Number(t) as 0 | 1 | 2;
    else problems.push(`t: must be 0, 1 or 2, ignored`);
  }
  const mode = own('mode');
  if (mode !== undefined && mode !== '') {
    if (mode === 'light' || mode === 'dark' || mode === 'auto') out.mode = mode;
    else problems.push(`mode: must be light, dark or auto, ignored`);
  }
  const goodsInfo = card('goodsInfo', own('goodsInfo'), parseGoodsInfo, problems);
  if (goodsInfo) out.goodsInfo = goodsInfo;
  const orderInfo = card('orderInfo', own('orderInfo'), parseOrderInfo, problems);
  if (orderInfo) out.orderInfo = orderInfo;
  return out;
}
