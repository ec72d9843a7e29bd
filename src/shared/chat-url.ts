// Builds the Bytedesk chat-page URL in the names and shapes the real visitor page reads
// (https://cdn.weiyuai.cn/chat). No URLSearchParams, no DOM, no zod: this file goes into the
// URL-only bundle that WeChat mini-program code uses to build a <web-view src>.
import { DEFAULT_MAX_URL_LENGTH } from './rules.ts';
import { normaliseCard, type GoodsInfoInput, type OrderInfoInput } from './cards.ts';

export const DEFAULT_CHAT_URL = 'https://cdn.weiyuai.cn/chat';

type Scalar = string | number | boolean | null | undefined;

/** The visitor as the chat page takes it. `visitorUid` is the shop's own user id (never Bytedesk's `uid`). */
export interface VisitorInfo {
  visitorUid?: string | null;
  nickname?: string | null;
  avatar?: string | null;
  mobile?: string | null;
  email?: string | null;
  note?: string | null;
  vipLevel?: string | number | null;
}

export interface ChatUrlOptions extends VisitorInfo {
  /** Chat page, default https://cdn.weiyuai.cn/chat. An existing query and hash are kept. */
  baseUrl?: string;
  org?: string | null;
  /** 0 agent, 1 workgroup, 2 robot. */
  t?: 0 | 1 | 2 | '0' | '1' | '2' | null;
  sid?: string | null;
  /** Any BCP 47 tag; sent as the page's code (`zh-CN` → `zh-cn`, `en-US` → `en`), left out when it has none. */
  lang?: string | null;
  /** `auto` is sent as the page's `system`. */
  mode?: 'light' | 'dark' | 'auto' | 'system' | null;
  /** `false` sends `navbar=0`: the page draws no header of its own (the launcher's panel does). */
  navbar?: boolean | null;
  autoSendBizInfo?: boolean | null;
  goodsInfo?: GoodsInfoInput | null;
  orderInfo?: OrderInfoInput | null;
  /** Any other chat-page parameters, appended after the known ones. */
  extra?: Record<string, Scalar>;
  /** Length budget in characters (default 4,096). */
  maxLength?: number;
  /** Told which optional fields were dropped to fit the budget (only when some were). */
  onDropped?: (fields: string[], overBudget: boolean) => void;
}

export interface ChatUrlResult {
  url: string;
  /** Fields dropped to fit the budget, e.g. `goodsInfo.description`, in the order they went. */
  dropped: string[];
  /** True when the URL is still over budget after every optional field went. */
  overBudget: boolean;
  /** Cards left out because they are invalid, e.g. `goodsInfo.url: must be an http(s) URL`. */
  problems: string[];
}

/** The page's languages, by primary subtag (Chinese by script or region, below). */
const PAGE_LANGS: Record<string, string> = {
  en: 'en',
  ja: 'ja-jp',
  ko: 'ko-kr',
  vi: 'vi-vn',
  ms: 'ms-my',
  es: 'es-es',
  fr: 'fr-fr',
  th: 'th-th',
};

/** The chat page's code for a language tag (`zh-CN` → `zh-cn`, `zh-Hant` → `zh-tw`, `en-US` → `en`), else undefined. */
export function chatLang(lang: string | null | undefined): string | undefined {
  const [primary, second] = String(lang ?? '').toLowerCase().split(/[-_]/);
  // Traditional Chinese by script (zh-Hant) or by region (zh-TW, zh-HK, zh-MO).
  if (primary === 'zh') return second === 'hant' || second === 'tw' || second === 'hk' || second === 'mo' ? 'zh-tw' : 'zh-cn';
  return Object.prototype.hasOwnProperty.call(PAGE_LANGS, primary!) ? PAGE_LANGS[primary!] : undefined;
}

/** The chat page's colour scheme for ours: `auto` is its `system`. */
export function chatMode(mode: string | null | undefined): 'light' | 'dark' | 'system' | undefined {
  return mode === 'auto' ? 'system' : mode === 'light' || mode === 'dark' || mode === 'system' ? mode : undefined;
}

/** Optional long fields, dropped in this order when the URL is over budget. */
const DROP_ORDER = ['description', 'image', 'tagList', 'extra', 'goodsList'] as const;

/** A value as it goes into the query: objects (the cards) as JSON. Null and undefined never get here. */
const enc = (v: Scalar | object): string => encodeURIComponent(typeof v === 'object' ? JSON.stringify(v) : String(v));

function compose(base: string, params: Array<[string, Scalar | object]>): string {
  const hashAt = base.indexOf('#');
  const hash = hashAt >= 0 ? base.slice(hashAt) : '';
  const head = hashAt >= 0 ? base.slice(0, hashAt) : base;
  let query = '';
  for (const [k, v] of params) {
    if (v === undefined || v === null) continue;
    query += (query ? '&' : '') + encodeURIComponent(k) + '=' + enc(v);
  }
  if (!query) return base;
  const sep = head.includes('?') ? (/[?&]$/.test(head) ? '' : '&') : '?';
  return head + sep + query + hash;
}

type Card = Record<string, unknown>;

/** Copy of a card without `field`, also removed from an order's goods. Reports whether anything went. */
function without(card: Card | undefined, field: string): [Card | undefined, boolean] {
  if (!card) return [card, false];
  let removed = false;
  const next: Card = { ...card };
  if (next[field] !== undefined) {
    delete next[field];
    removed = true;
  }
  const strip = (g: unknown) => {
    const [c, r] = without(g as Card, field);
    removed ||= r;
    return c;
  };
  if (next.goods) next.goods = strip(next.goods);
  if (Array.isArray(next.goodsList)) next.goodsList = next.goodsList.map(strip);
  return [next, removed];
}

/** Like buildChatUrl, and tells which optional fields were dropped to fit the length budget. */
export function buildChatUrlDetailed(options: ChatUrlOptions): ChatUrlResult {
  const max = options.maxLength ?? DEFAULT_MAX_URL_LENGTH;
  const problems: string[] = [];
  const clean = (name: 'goodsInfo' | 'orderInfo'): Card | undefined => {
    const raw = options[name];
    if (raw == null) return undefined;
    const r = normaliseCard(name === 'orderInfo' ? 'order' : 'goods', raw);
    if (r.ok) return r.value as Card;
    problems.push(`${name}${r.problem.startsWith('(root)') ? r.problem.slice(6) : '.' + r.problem}`);
    return undefined;
  };
  let goods = clean('goodsInfo');
  let order = clean('orderInfo');
  const make = () =>
    compose(options.baseUrl || DEFAULT_CHAT_URL, [
      ['org', options.org],
      ['t', options.t],
      ['sid', options.sid],
      ['visitorUid', options.visitorUid],
      ['nickname', options.nickname],
      ['avatar', options.avatar],
      ['mobile', options.mobile],
      ['email', options.email],
      ['note', options.note],
      ['vipLevel', options.vipLevel],
      ['lang', chatLang(options.lang)],
      ['mode', chatMode(options.mode)],
      ['navbar', options.navbar === false ? 0 : undefined],
      ['autoSendBizInfo', options.autoSendBizInfo],
      ['goodsInfo', goods],
      ['orderInfo', order],
      ...Object.entries(options.extra ?? {}),
    ]);
  let url = make();
  const dropped: string[] = [];
  for (const field of DROP_ORDER) {
    if (url.length <= max) break;
    const [g, gr] = without(goods, field);
    const [o, or] = without(order, field);
    goods = g;
    order = o;
    if (gr) dropped.push(`goodsInfo.${field}`);
    if (or) dropped.push(`orderInfo.${field}`);
    url = make();
  }
  const overBudget = url.length > max;
  if (dropped.length || overBudget) options.onDropped?.(dropped, overBudget);
  return { url, dropped, overBudget, problems };
}

/** The chat-page URL for `options`: see DESIGN.md. Optional long fields are dropped to fit `maxLength`. */
export function buildChatUrl(options: ChatUrlOptions = {}): string {
  return buildChatUrlDetailed(options).url;
}
