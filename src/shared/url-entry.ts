// Entry of dist/shop-chat-url.js: the URL helpers alone, for WeChat mini-program code
// (no DOM, no URLSearchParams, no lit, no zod). Cards are normalised here as in the launcher;
// parseChatParams lives in the full bundles.
export { buildChatUrl, buildChatUrlDetailed, chatLang, chatMode, DEFAULT_CHAT_URL } from './chat-url.ts';
export type { ChatUrlOptions, ChatUrlResult, VisitorInfo } from './chat-url.ts';
export { normaliseCard } from './cards.ts';
export { resolveNavigatePath, withPayload, DEFAULT_GOODS_PATH, DEFAULT_ORDER_PATH } from './navigate.ts';
export type { NavigateDefaults } from './navigate.ts';
export { isSafeHttpUrl, isMiniProgramPath } from './rules.ts';
