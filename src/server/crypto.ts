import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const ACCESS_TOKEN_PREFIX = 'sc_at_';
export const REFRESH_TOKEN_PREFIX = 'sc_rt_';
export const ADMIN_TOKEN_PREFIX = 'sc_adm_';

/**
 * A new uid such as `org_0193f2a4c1e07b9d…` (prefix + 24 hex characters): 12 of milliseconds since
 * 1970, then 12 random (48 bits), as in UUIDv7. Time order makes each insert land at the end of the
 * uid indexes instead of on a random page: a group commit of onboards writes a fraction of the pages.
 */
export function newUid(prefix: string): string {
  return `${prefix}_${Date.now().toString(16).padStart(12, '0')}${randomBytes(6).toString('hex')}`;
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
