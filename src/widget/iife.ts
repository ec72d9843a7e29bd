// Script-tag entry (dist/shop-chat.iife.js): defines the elements, mounts one floating launcher from
// the <script data-*> attributes, and exposes window.ShopChat, replaying calls queued by the stub
//   window.ShopChat = window.ShopChat || function(){(ShopChat.q = ShopChat.q || []).push(arguments)}
import {
  buildChatUrl,
  parseChatParams,
  resolveNavigatePath,
  type GoodsInfoInput,
  type OrderInfoInput,
  type VisitorInfo,
} from '../shared/index.ts';
import { defineElements } from './elements.ts';
import type { ShopChatLauncher } from './launcher/launcher.ts';

export interface ShopChatApi {
  (method: string, ...args: unknown[]): unknown;
  buildChatUrl: typeof buildChatUrl;
  parseChatParams: typeof parseChatParams;
  resolveNavigatePath: typeof resolveNavigatePath;
  open(): void;
  close(): void;
  setGoods(info: GoodsInfoInput | null): void;
  setOrder(info: OrderInfoInput | null): void;
  /** `{ visitorUid, nickname, avatar, mobile, email, note, vipLevel }`: the shop's own user. */
  setVisitor(visitor: VisitorInfo | null): void;
  /** The launcher this script mounted, if any. */
  launcher?: ShopChatLauncher;
  /** Calls queued by the stub before this script ran (replayed, then emptied). */
  q?: ArrayLike<unknown>[];
}

declare global {
  interface Window {
    ShopChat?: ShopChatApi;
  }
}

const AUTO = 'data-shop-chat-auto';
// Captured synchronously: document.currentScript is only set while this script runs.
const script =
  (document.currentScript as HTMLScriptElement | null) ??
  [...document.querySelectorAll<HTMLScriptElement>('script[src]')]
    .reverse()
    .find((s) => /shop-chat\.iife\.js(?:[?#]|$)/.test(s.src)) ??
  null;

defineElements();

const previous = window.ShopChat;
if (!(previous && (previous as { __shopChat?: boolean }).__shopChat)) install(previous?.q);
// Loaded again: the first copy stays in charge (elements defined once, one launcher).

/** Run now when <body> exists, else once the document is parsed (the script may sit in <head>). */
function ready(fn: () => void): void {
  if (document.body) fn();
  else document.addEventListener('DOMContentLoaded', fn, { once: true });
}

function install(queue: ArrayLike<unknown>[] | undefined): void {
  const data = script?.dataset ?? {};
  let launcher: ShopChatLauncher | undefined;
  if (data.org || data.shopUid) {
    launcher = document.createElement('shop-chat-launcher');
    launcher.setAttribute(AUTO, '');
    const attrs: Record<string, string | undefined> = {
      org: data.org,
      sid: data.sid,
      t: data.t,
      'shop-uid': data.shopUid,
      server: data.server,
      'chat-url': data.chatUrl,
      'api-url': data.apiUrl,
      'visitor-uid': data.visitorUid,
      nickname: data.nickname,
      avatar: data.avatar,
      position: data.position,
      lang: data.lang,
      mode: data.mode,
    };
    for (const [name, value] of Object.entries(attrs)) if (value) launcher.setAttribute(name, value);
    const el = launcher;
    ready(() => document.querySelector(`shop-chat-launcher[${AUTO}]`) || document.body.append(el));
  }

  /** Calls go to the launcher this script mounted, else the first one on the page, once the DOM is there. */
  const withLauncher = (fn: (l: ShopChatLauncher) => void) =>
    ready(() => {
      const target = launcher ?? document.querySelector('shop-chat-launcher');
      if (target) fn(target);
    });

  const methods = {
    buildChatUrl,
    parseChatParams,
    resolveNavigatePath,
    open: () => withLauncher((l) => l.open()),
    close: () => withLauncher((l) => l.close()),
    setGoods: (info: GoodsInfoInput | null) => withLauncher((l) => (l.goodsInfo = info)),
    setOrder: (info: OrderInfoInput | null) => withLauncher((l) => (l.orderInfo = info)),
    setVisitor: (visitor: VisitorInfo | null) => withLauncher((l) => (l.visitor = visitor)),
  };

  const api = function (method: string, ...args: unknown[]): unknown {
    if (!Object.prototype.hasOwnProperty.call(methods, method)) {
      console.warn(`ShopChat: unknown method ${String(method)}`);
      return undefined;
    }
    return (methods[method as keyof typeof methods] as (...a: unknown[]) => unknown)(...args);
  } as ShopChatApi;
  Object.assign(api, methods, { launcher, __shopChat: true });
  window.ShopChat = api;

  for (const args of Array.from(queue ?? [])) {
    const [method, ...rest] = Array.from(args);
    try {
      api(method as string, ...rest);
    } catch (e) {
      console.error('ShopChat:', e);
    }
  }
}
