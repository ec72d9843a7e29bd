import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';

export const ACCESS_TOKEN_PREFIX = 'sc_at_';
export const REFRESH_TOKEN_PREFIX = 'sc_rt_';
export const ADMIN_TOKEN_PREFIX = 'sc_adm_';

/** A new uid such as `org_3f2a…` (prefix + 24 hex characters). */
export function newUid(prefix: string): string {
  return `${prefix}_${randomUUID().replace(/-/g, '').slice(0, 24)}`;
}

/** A random token: prefix + 32 random bytes in base64url. */
export function newToken(prefix: string): string {
  return prefix + randomBytes(32).toString('base64url');
}

/** Hex SHA-256 of a token: the only form stored. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Constant-time comparison of two hex digests (or two strings via their digests). */
export function safeEqualHex(a: string, b: string): boolean {
  const ab = Buffer.from(a, 'hex');
  const bb = Buffer.from(b, 'hex');
  return ab.length === bb.length && ab.length > 0 && timingSafeEqual(ab, bb);
}

/** Constant-time equality of two arbitrary strings. */
export function safeEqualString(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

/** Masked form shown outside create/refresh: known prefix + `…` + last four characters. */
export function maskToken(token: string): string {
  const prefix = [ACCESS_TOKEN_PREFIX, REFRESH_TOKEN_PREFIX, ADMIN_TOKEN_PREFIX].find((p) => token.startsWith(p)) ?? '';
  return `${prefix}…${token.slice(-4)}`;
}
