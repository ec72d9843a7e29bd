// Limits and patterns shared by the schemas, the URL builder and the navigation rules.
// Kept free of zod so the URL-only bundle (WeChat mini-program code) stays tiny.

export const LIMITS = {
  uid: 128,
  type: 32,
  title: 100,
  description: 300,
  url: 1000,
  path: 1000,
  tag: 32,
  tags: 20,
  text: 100,
  extra: 2000,
  address: 300,
  phone: 32,
  goodsPerOrder: 20,
  /** Raw length of one goodsInfo / orderInfo parameter accepted by parseChatParams. */
  param: 16_000,
} as const;

/** Default budget of a chat URL, in characters. */
export const DEFAULT_MAX_URL_LENGTH = 4096;

/** Absolute http(s) URL with a host; rejects javascript:, data:, protocol-relative and relative URLs. */
export const HTTP_URL_RE = /^https?:\/\/[^\s/?#\\][^\s]*$/i;

/** Mini-program page path: starts with one `/`, no scheme, no `//`, no whitespace or backslash. */
export const MINI_PATH_RE = /^\/(?![/\\])[^\s\\:]*(?:\?[^\s\\]*)?$/;

/**
 * No U+0000 anywhere in a text value: PostgreSQL's text type cannot hold it (a NUL was a 500 there)
 * and no legitimate text carries one. Every text field of the API and of the cards checks this.
 */
export const NO_NUL_RE = /^[^\u0000]*$/;
export const NUL_MESSAGE = 'must not contain U+0000';

export function isSafeHttpUrl(value: unknown): value is string {
  return typeof value === 'string' && value.length <= LIMITS.url && HTTP_URL_RE.test(value);
}

export function isMiniProgramPath(value: unknown): value is string {
  return typeof value === 'string' && value.length <= LIMITS.path && MINI_PATH_RE.test(value);
}
