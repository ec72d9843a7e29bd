// `shop-chat/jsx` (types only): the three tags in React's JSX, for markup without the wrappers
// (`<shop-chat-launcher shop-uid="…" ref={ref} />`). React 19 sets a prop the element has as a
// property, so `goodsInfo={product}` is typed too. `shop-chat/react` includes these typings.
import type { DetailedHTMLProps, HTMLAttributes } from 'react';
import type {
  AttributesAndProperties,
  ElementProperties,
  GoodsCardAttributes,
  LauncherAttributes,
  OrderCardAttributes,
  ShopChatGoodsCard,
  ShopChatLauncher,
  ShopChatOrderCard,
} from './types.ts';

type Props<I extends HTMLElement, A> = AttributesAndProperties<A, ElementProperties<I>>;
type Intrinsic<I extends HTMLElement, A> = DetailedHTMLProps<Omit<HTMLAttributes<I>, keyof Props<I, A>>, I> & Props<I, A>;

declare module 'react' {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace JSX {
    interface IntrinsicElements {
      'shop-chat-launcher': Intrinsic<ShopChatLauncher, LauncherAttributes>;
      'shop-chat-goods-card': Intrinsic<ShopChatGoodsCard, GoodsCardAttributes>;
      'shop-chat-order-card': Intrinsic<ShopChatOrderCard, OrderCardAttributes>;
    }
  }
}

export {};
