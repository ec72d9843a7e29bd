// ESM entry (dist/shop-chat.js): defines the elements and re-exports them with the shared helpers.
import { defineElements } from './elements.ts';

defineElements();

export { ShopChatGoodsCard, ShopChatLauncher, ShopChatOrderCard, defineElements } from './elements.ts';
export { ShopChatCardBase } from './cards/card-base.ts';
export type { LauncherPosition, WidgetConfig } from './launcher/launcher.ts';
export { define } from './define.ts';
export { isMiniProgram, miniProgramNavigate, navigation } from './wechat.ts';
export type { WxMiniProgram } from './wechat.ts';
export { resolveLang } from './i18n.ts';
export type { Lang } from './i18n.ts';
export type { Mode } from './theme.styles.ts';
export type * from './events.ts';
export * from '../shared/index.ts';
