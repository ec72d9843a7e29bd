import { isMiniProgramPath } from './rules.ts';
import type { CardKind } from './cards.ts';

export const DEFAULT_GOODS_PATH = '/pages/goods/detail/index';
export const DEFAULT_ORDER_PATH = '/pages/order/detail/index';

/** The server's configured defaults (seed: bytedesk.custom.wechat-mini-program.*-detail-path). */
export interface NavigateDefaults {
  goodsDetailPath?: string | null;
  orderDetailPath?: string | null;
}

/**
 * Where a card click goes inside a WeChat mini-program (seeds/000 §1.1): the card's own
 * `navigateToPath`, else the server's default, else the built-in default. Unsafe paths are skipped.
 */
export function resolveNavigatePath(
  kind: CardKind,
  info?: object | null,
  serverDefaults?: NavigateDefaults | null,
): string {
  const own = (info as { navigateToPath?: unknown } | null | undefined)?.navigateToPath;
  if (isMiniProgramPath(own)) return own;
  const configured = kind === 'goods' ? serverDefaults?.goodsDetailPath : serverDefaults?.orderDetailPath;
  if (isMiniProgramPath(configured)) return configured;
  return kind === 'goods' ? DEFAULT_GOODS_PATH : DEFAULT_ORDER_PATH;
}

/**
 * `path` with the card as a `payload` query parameter (JSON, percent-encoded), the way Bytedesk's
 * mini-program detail pages read it (`JSON.parse(decodeURIComponent(options.payload))`).
 */
export function withPayload(path: string, info: object): string {
  const hash = path.indexOf('#');
  const head = hash >= 0 ? path.slice(0, hash) : path;
  const sep = head.includes('?') ? (/[?&]$/.test(head) ? '' : '&') : '?';
  return head + sep + 'payload=' + encodeURIComponent(JSON.stringify(info)) + (hash >= 0 ? path.slice(hash) : '');
}
