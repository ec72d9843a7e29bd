// Entry of dist/shop-chat-url.js: the URL helpers alone, for WeChat mini-program code
// (no DOM, no URLSearchParams, no lit, no zod). parseChatParams validates cards with zod and
// lives in the full bundles.
export { buildChatUrl, buildChatUrlDetailed, DEFAULT_CHAT_URL } from './chat-url.ts';
export type { ChatUrlOptions, ChatUrlResult } from './chat-url.ts';
export { resolveNavigatePath, DEFAULT_GOODS_PATH, DEFAULT_ORDER_PATH } from './navigate.ts';
export type { NavigateDefaults } from './navigate.ts';
export { isSafeHttpUrl, isMiniProgramPath } from './rules.ts';
