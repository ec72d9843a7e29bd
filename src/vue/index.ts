// `shop-chat/vue` (types only): the three tags in Vue templates (`GlobalComponents`), checked by
// vue-tsc / Volar: attributes, `.prop` bindings of the element's properties and `@shop-chat-…`
// listeners with their event types. Vue itself still needs `isCustomElement` (see the README).
import type { AllowedComponentProps, ComponentCustomProps, HTMLAttributes, VNodeProps } from 'vue';
import type {
  AttributesAndProperties,
  ElementProperties,
  EventOf,
  GoodsCardAttributes,
  LauncherAttributes,
  OrderCardAttributes,
  ShopChatGoodsCard,
  ShopChatLauncher,
  ShopChatOrderCard,
  cardEvents,
  launcherEvents,
} from '../react/types.ts';

type Camel<S extends string> = S extends `${infer H}-${infer T}` ? `${H}${Capitalize<Camel<T>>}` : S;
/** `shop-uid` → `shopUid`: Vue normalises attribute names to camelCase before checking them. */
type CamelKeys<A> = { [K in keyof A as K extends string ? Camel<K> : K]: A[K] };
/** `{ onShopChatOpen?: (e: ShopChatOpenEvent) => void }`: what `@shop-chat-open` binds. */
type Listeners<M extends Record<string, string>> = { [K in keyof M]?: (event: EventOf<M[K]>) => void };

/** Vue's recipe for a non-Vue custom element: an instance type with `$props`. */
type Props<I extends HTMLElement, A> = AttributesAndProperties<CamelKeys<A>, ElementProperties<I>>;
type DefineCustomElement<I extends HTMLElement, A, M extends Record<string, string>> = new () => I & {
  $props: Omit<HTMLAttributes, keyof Props<I, A>> & Props<I, A> & Listeners<M> & AllowedComponentProps & ComponentCustomProps & VNodeProps;
};

declare module 'vue' {
  interface GlobalComponents {
    'shop-chat-launcher': DefineCustomElement<ShopChatLauncher, LauncherAttributes, typeof launcherEvents>;
    'shop-chat-goods-card': DefineCustomElement<ShopChatGoodsCard, GoodsCardAttributes, typeof cardEvents>;
    'shop-chat-order-card': DefineCustomElement<ShopChatOrderCard, OrderCardAttributes, typeof cardEvents>;
  }
}

export {};
