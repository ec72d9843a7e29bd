// Builds the Bytedesk chat-page URL. No URLSearchParams, no DOM, no zod: this file goes into the
// URL-only bundle that WeChat mini-program code uses to build a <web-view src>.
import { DEFAULT_MAX_URL_LENGTH } from './rules.ts';
import type { GoodsInfoInput, OrderInfoInput } from './cards.ts';

export const DEFAULT_CHAT_URL = 'https://cdn.weiyuai.cn/chat';

type Scalar = string | number | boolean | null | undefined;

export interface ChatUrlOptions {
  /** Chat page, default https://cdn.weiyuai.cn/chat. An existing query and hash are kept. */
  baseUrl?: string;
  org?: string | null;
  /** 0 agent, 1 workgroup, 2 robot. */
  t?: 0 | 1 | 2 | '0' | '1' | '2' | null;
  sid?: string | null;
  /** Visitor fields. */
  uid?: string | null;
  nickname?: string | null;
  avatar?: string | null;
  lang?: string | null;
  mode?: 'light' | 'dark' | 'auto' | null;
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
}

/** Optional long fields, dropped in this order when the URL is over budget. */
const DROP_ORDER = ['description', 'image', 'tagList', 'extra'] as const;

const enc = (v: Scalar | object): string =>
  encodeURIComponent(typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v));

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

/** Copy of a card without `field`, also removed from an order's nested goods. Reports whether anything went. */
function without(card: Card | null | undefined, field: string): [Card | null | undefined, boolean] {
  if (!card || typeof card !== 'object') return [card, false];
  let removed = false;
  const next: Card = { ...card };
  if (field in next && next[field] !== undefined) {
    delete next[field];
    removed = true;
  }
  const goods = next.goods;
  if (goods && typeof goods === 'object') {
    const list = Array.isArray(goods) ? goods : [goods];
    const stripped = list.map((g) => {
      const [c, r] = without(g as Card, field);
      removed ||= r;
      return c;
    });
    next.goods = Array.isArray(goods) ? stripped : stripped[0];
  }
  return [next, removed];
}

/** Like buildChatUrl, and tells which optional fields were dropped to fit the length budget. */
export function buildChatUrlDetailed(options: ChatUrlOptions): ChatUrlResult {
  const max = options.maxLength ?? DEFAULT_MAX_URL_LENGTH;
  let goods = options.goodsInfo as Card | null | undefined;
  let order = options.orderInfo as Card | null | undefined;
  const make = () =>
    compose(options.baseUrl || DEFAULT_CHAT_URL, [
      ['org', options.org],
      ['t', options.t],
      ['sid', options.sid],
      ['uid', options.uid],
      ['nickname', options.nickname],
      ['avatar', options.avatar],
      ['lang', options.lang],
      ['mode', options.mode],
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
    if (gr || or) url = make();
  }
  const overBudget = url.length > max;
  if (dropped.length || overBudget) options.onDropped?.(dropped, overBudget);
  return { url, dropped, overBudget };
}

/** The chat-page URL for `options`: see DESIGN.md. Optional long fields are dropped to fit `maxLength`. */
export function buildChatUrl(options: ChatUrlOptions = {}): string {
  return buildChatUrlDetailed(options).url;
}
