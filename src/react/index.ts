// `shop-chat/react`: React components for the three elements, made by @lit/react. Objects
// (`goodsInfo`, `orderInfo`, `info`) are set as properties, events are props (`onShopChatOpen`…).
// The elements come from `shop-chat` itself (importing this defines them); @lit/react is bundled
// into this entry, so the package keeps `lit` as its only dependency and `react` an optional peer.
import * as React from 'react';
import { createComponent } from '@lit/react';
import { ShopChatGoodsCard as GoodsCardElement, ShopChatLauncher as LauncherElement, ShopChatOrderCard as OrderCardElement } from '../widget/index.ts';
import { cardEvents, launcherEvents, type ElementProperties, type EventHandlers } from './types.ts';

/** Props of a wrapper: the element's properties, its events as `on…` props, HTML attributes and a ref to the element. */
export type WrapperProps<I extends HTMLElement, M extends Record<string, string>> = Omit<React.HTMLAttributes<I>, keyof M | keyof ElementProperties<I>> &
  ElementProperties<I> &
  EventHandlers<M> &
  React.RefAttributes<I>;

export type ShopChatLauncherProps = WrapperProps<LauncherElement, typeof launcherEvents>;
export type ShopChatGoodsCardProps = WrapperProps<GoodsCardElement, typeof cardEvents>;
export type ShopChatOrderCardProps = WrapperProps<OrderCardElement, typeof cardEvents>;

// Declared types, not @lit/react's: the published declarations must not import a bundled package.
export const ShopChatLauncher: React.ForwardRefExoticComponent<ShopChatLauncherProps> = createComponent({
  react: React,
  tagName: 'shop-chat-launcher',
  elementClass: LauncherElement,
  events: launcherEvents,
  displayName: 'ShopChatLauncher',
}) as never;

export const ShopChatGoodsCard: React.ForwardRefExoticComponent<ShopChatGoodsCardProps> = createComponent({
  react: React,
  tagName: 'shop-chat-goods-card',
  elementClass: GoodsCardElement,
  events: cardEvents,
  displayName: 'ShopChatGoodsCard',
}) as never;

export const ShopChatOrderCard: React.ForwardRefExoticComponent<ShopChatOrderCardProps> = createComponent({
  react: React,
  tagName: 'shop-chat-order-card',
  elementClass: OrderCardElement,
  events: cardEvents,
  displayName: 'ShopChatOrderCard',
}) as never;

export { cardEvents, launcherEvents };
export type { ElementProperties, EventHandlers };
// The JSX typings of the plain tags come with the wrappers.
export type * from './jsx.ts';
