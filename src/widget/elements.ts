import { ShopChatGoodsCard } from './cards/goods-card.ts';
import { ShopChatOrderCard } from './cards/order-card.ts';
import { define } from './define.ts';
import { ShopChatLauncher } from './launcher/launcher.ts';

declare global {
  interface HTMLElementTagNameMap {
    'shop-chat-launcher': ShopChatLauncher;
    'shop-chat-goods-card': ShopChatGoodsCard;
    'shop-chat-order-card': ShopChatOrderCard;
  }
}

/** Define the three elements (each once: loading twice never throws). */
export function defineElements(): void {
  define('shop-chat-launcher', ShopChatLauncher);
  define('shop-chat-goods-card', ShopChatGoodsCard);
  define('shop-chat-order-card', ShopChatOrderCard);
}

export { ShopChatGoodsCard, ShopChatLauncher, ShopChatOrderCard };
