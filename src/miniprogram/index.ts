// The WeChat mini-program kit: `miniprogram/index.js` of the package (CommonJS), the folder the
// package's `miniprogram` field names, which the developer tool's "build npm" copies to
// miniprogram_npm/shop-chat. It holds the URL helpers, the query <shop-chat-button> hands to the chat
// page, and `chatPage()`, the page that shows the chat in a <web-view>.
import { buildChatUrl, type ChatUrlOptions, type VisitorInfo } from '../shared/url-entry.ts';

export * from '../shared/url-entry.ts';

/** Where <shop-chat-button> navigates unless its `page` property says otherwise. */
export const DEFAULT_CHAT_PAGE = '/pages/shop-chat/index';

/** Visitor fields passed to the chat page: buildChatUrl's visitor options. */
export type ChatVisitor = VisitorInfo;

export const VISITOR_FIELDS = ['visitorUid', 'nickname', 'avatar', 'mobile', 'email', 'note', 'vipLevel'] as const satisfies readonly (keyof VisitorInfo)[];

/** What a chat button passes to the chat page. */
export interface ChatPageParams {
  shopUid?: string | null;
  goodsInfo?: object | null;
  orderInfo?: object | null;
  visitor?: ChatVisitor | null;
}

type Query = Record<string, string | undefined>;

const enc = (v: unknown) => encodeURIComponent(typeof v === 'object' ? JSON.stringify(v) : String(v));

/** `page` with the params as its query, for `wx.navigateTo` (objects as JSON, every value encoded). */
export function chatPageUrl(page: string, params: ChatPageParams): string {
  const pairs: string[] = [];
  const add = (k: string, v: unknown) => {
    if (v !== undefined && v !== null && v !== '') pairs.push(`${k}=${enc(v)}`);
  };
  add('shopUid', params.shopUid);
  add('goodsInfo', params.goodsInfo);
  add('orderInfo', params.orderInfo);
  for (const f of VISITOR_FIELDS) add(f, params.visitor?.[f]);
  if (!pairs.length) return page;
  return page + (page.includes('?') ? '&' : '?') + pairs.join('&');
}

/** A query value as sent: the base library hands `onLoad` the still-encoded value. */
function decode(v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  try {
    return decodeURIComponent(v);
  } catch {
    return v;
  }
}

function json(v: string | undefined): object | undefined {
  const s = decode(v);
  if (!s) return undefined;
  try {
    const parsed: unknown = JSON.parse(s);
    return parsed && typeof parsed === 'object' ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** The inverse of chatPageUrl: the params of the chat page's `onLoad(query)`. */
export function readChatPageQuery(query: Query): ChatPageParams {
  const visitor: ChatVisitor = {};
  for (const f of VISITOR_FIELDS) {
    const v = decode(query[f]);
    if (v) visitor[f] = v;
  }
  return {
    shopUid: decode(query.shopUid) || undefined,
    goodsInfo: json(query.goodsInfo),
    orderInfo: json(query.orderInfo),
    visitor: Object.keys(visitor).length ? visitor : undefined,
  };
}

/** Options of the chat page: the chat target directly, or the shop-chat server that knows it. */
export interface ChatPageOptions {
  org?: string;
  sid?: string;
  t?: 0 | 1 | 2;
  /** Chat page URL, default https://cdn.weiyuai.cn/chat (the server's `chatUrl` when fetched). */
  chatUrl?: string;
  /** shop-chat server: without `org`/`sid`, `GET {server}/api/v1/shop/widget/config?shopUid=…` supplies them (add it to the request domains). */
  server?: string;
  /** Shop used when the query has none. */
  shopUid?: string;
  lang?: string;
}

interface WidgetConfig {
  org?: string;
  sid?: string;
  t?: number | string;
  chatUrl?: string;
}

/** The `<web-view src>` for the params; visitor fields travel as chat-page parameters. */
export function chatPageSrc(options: WidgetConfig & { lang?: string }, params: ChatPageParams): string {
  const t = String(options.t ?? 1);
  const extra: NonNullable<ChatUrlOptions['extra']> = {};
  for (const f of VISITOR_FIELDS) if (params.visitor?.[f] !== undefined) extra[f] = params.visitor[f];
  return buildChatUrl({
    baseUrl: options.chatUrl,
    org: options.org,
    sid: options.sid,
    t: t === '0' || t === '2' ? t : '1',
    lang: options.lang,
    goodsInfo: params.goodsInfo as ChatUrlOptions['goodsInfo'],
    orderInfo: params.orderInfo as ChatUrlOptions['orderInfo'],
    extra,
  });
}

function fetchConfig(server: string, shopUid: string): Promise<WidgetConfig> {
  return new Promise((resolve, reject) => {
    wx.request({
      url: `${server.replace(/\/+$/, '')}/api/v1/shop/widget/config?shopUid=${encodeURIComponent(shopUid)}`,
      method: 'GET',
      success: (res) => {
        const body = res.data as { data?: WidgetConfig; message?: string } | undefined;
        if (res.statusCode === 200 && body?.data?.org && body.data.sid) resolve(body.data);
        else reject(new Error(body?.message || `widget config: HTTP ${res.statusCode}`));
      },
      fail: (err) => reject(new Error(err.errMsg)),
    });
  });
}

/** Data of the chat page: `src` of its <web-view> (empty until known), `error` when it cannot be built. */
export interface ChatPageData {
  src: string;
  error: string;
}

/**
 * Options for `Component(...)` of the chat page (a page built with the Component constructor, so
 * `onLoad` sits in `methods`). Its template is `<web-view src="{{src}}" wx:if="{{src}}">`.
 */
export function chatPage(options: ChatPageOptions = {}) {
  return {
    data: { src: '', error: '' } as ChatPageData,
    methods: {
      onLoad(this: WechatMiniprogram.Component.TrivialInstance, query: Query = {}): Promise<void> {
        const params = readChatPageQuery(query);
        const shopUid = params.shopUid || options.shopUid;
        const done = (config: WidgetConfig) => this.setData({ src: chatPageSrc({ ...config, ...definedOnly(options) }, params), error: '' });
        if ((options.org && options.sid) || !options.server || !shopUid) {
          done({});
          return Promise.resolve();
        }
        return fetchConfig(options.server, shopUid).then(done, (e: Error) => this.setData({ error: e.message }));
      },
    },
  };
}

/** Explicit options win over the fetched config, but an unset one must not erase it. */
function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== '')) as Partial<T>;
}
