import type { GoodsInfo, OrderInfo } from '../shared/index.ts';

/** `shop-chat-open`: the chat was opened, in a panel, full screen, or by navigating the page. */
export interface ShopChatOpenDetail {
  chatUrl: string;
  display: 'panel' | 'fullscreen' | 'navigate';
}

/** `shop-chat-close`. */
export interface ShopChatCloseDetail {
  chatUrl: string;
}

/** `shop-chat-error`: something failed; the element stays usable with what it has. */
export interface ShopChatErrorDetail {
  reason: 'config' | 'invalid-info' | 'wx-unavailable';
  message: string;
}

/** `shop-chat-card-click` (cancelable): cancel it to stop the built-in navigation. */
export type ShopChatCardClickDetail =
  | { kind: 'goods'; info: GoodsInfo; path: string }
  | { kind: 'order'; info: OrderInfo; path: string };

/** `shop-chat-message-click` (cancelable): a message bubble was clicked in the chat page. */
export interface ShopChatMessageClickDetail {
  /** The clicked message's type, e.g. `GOODS`, `ORDER`, `TEXT`. */
  type: string;
  /** The message uid. */
  uid?: string;
  /** The message content: a card object for GOODS / ORDER (JSON strings are parsed). */
  content: unknown;
  /** The card's `navigateToPath`, when it has one. */
  navigateToPath?: string;
  extra: unknown;
}

/** `shop-chat-unread`: the unread count changed. */
export interface ShopChatUnreadDetail {
  count: number;
}

export type ShopChatOpenEvent = CustomEvent<ShopChatOpenDetail>;
export type ShopChatCloseEvent = CustomEvent<ShopChatCloseDetail>;
export type ShopChatErrorEvent = CustomEvent<ShopChatErrorDetail>;
export type ShopChatCardClickEvent = CustomEvent<ShopChatCardClickDetail>;
export type ShopChatMessageClickEvent = CustomEvent<ShopChatMessageClickDetail>;
export type ShopChatUnreadEvent = CustomEvent<ShopChatUnreadDetail>;

declare global {
  interface HTMLElementEventMap {
    'shop-chat-open': ShopChatOpenEvent;
    'shop-chat-close': ShopChatCloseEvent;
    'shop-chat-error': ShopChatErrorEvent;
    'shop-chat-card-click': ShopChatCardClickEvent;
    'shop-chat-message-click': ShopChatMessageClickEvent;
    'shop-chat-unread': ShopChatUnreadEvent;
  }
}

/** Dispatch a bubbling, composed CustomEvent; returns false when it was cancelled. */
export function emit<T>(target: EventTarget, type: string, detail: T, cancelable = false): boolean {
  return target.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true, cancelable }));
}
