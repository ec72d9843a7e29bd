// Prop types shared by the React wrappers (index.ts), the React JSX typings (jsx.ts) and the Vue
// template typings (../vue/index.ts): derived from the element classes, so a new property shows
// up in every framework without another list.
import type { ReactiveElement } from 'lit';
import type { ShopChatGoodsCard, ShopChatLauncher, ShopChatOrderCard } from '../widget/index.ts';

/** The settable properties of an element: its own fields, no methods, nothing of ReactiveElement/HTMLElement. */
export type ElementProperties<I> = {
  [K in keyof I as K extends keyof ReactiveElement ? never : I[K] extends (...args: never[]) => unknown ? never : K]?: I[K];
};

/** Attributes and properties in one props type: a name that is both takes either type (`unread="3"`, `info={card}`). */
export type AttributesAndProperties<A, P> = {
  [K in keyof A | keyof P]?: (K extends keyof A ? A[K] : never) | (K extends keyof P ? P[K] : never);
};

/** Attributes as written in markup (strings; `unread` also a number). */
export interface LauncherAttributes {
  org?: string;
  sid?: string;
  t?: string | number;
  'shop-uid'?: string;
  server?: string;
  'chat-url'?: string;
  'goods-info'?: string;
  'order-info'?: string;
  lang?: string;
  position?: ShopChatLauncher['position'];
  mode?: 'light' | 'dark' | 'auto';
  unread?: string | number;
}

export interface CardAttributes {
  info?: string;
  lang?: string;
  mode?: 'light' | 'dark' | 'auto';
}

export interface GoodsCardAttributes extends CardAttributes {
  'goods-detail-path'?: string;
}

export interface OrderCardAttributes extends CardAttributes {
  'order-detail-path'?: string;
}

/** The event type of `name`; a generic CustomEvent until the element declares it in HTMLElementEventMap. */
export type EventOf<N extends string> = N extends keyof HTMLElementEventMap ? HTMLElementEventMap[N] : CustomEvent<unknown>;

/** React prop name → DOM event of the launcher. */
export const launcherEvents = {
  onShopChatOpen: 'shop-chat-open',
  onShopChatClose: 'shop-chat-close',
  onShopChatError: 'shop-chat-error',
  onShopChatMessageClick: 'shop-chat-message-click',
  onShopChatUnread: 'shop-chat-unread',
} as const;

/** React prop name → DOM event of both cards. */
export const cardEvents = {
  onShopChatCardClick: 'shop-chat-card-click',
  onShopChatError: 'shop-chat-error',
} as const;

/** `{ onShopChatOpen?: (e: ShopChatOpenEvent) => void, … }` for an event map above. */
export type EventHandlers<M extends Record<string, string>> = { [K in keyof M]?: (event: EventOf<M[K]>) => void };

export type { ShopChatGoodsCard, ShopChatLauncher, ShopChatOrderCard };
