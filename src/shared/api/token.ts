import { z } from 'zod';
import { baseEntityShape, shopUidSchema, text, uidSchema } from './common.ts';
import { envelope } from './envelope.ts';
import { pageRequestFields, springPage } from './page.ts';

/**
 * An API token as the seed returns it. `accessToken` / `refreshToken` hold the full value only in
 * the responses of `token/create` and `token/refresh`; everywhere else they are masked
 * (prefix + last four characters), because only SHA-256 hashes are stored.
 */
export const apiTokenSchema = z.object({
  ...baseEntityShape,
  orgUid: z.string().nullable(), // an admin token has none (the spread keeps the field's place)
  name: z.string(),
  description: z.string().nullable(),
  accessToken: z.string(),
  refreshToken: z.string().nullable(),
  type: z.string().nullable(),
  scope: z.array(z.string()),
  expiresAt: z.string().nullable(),
  permanent: z.boolean(),
  revoked: z.boolean(),
  revokeReason: z.string().nullable(),
  channel: z.string().nullable(),
  device: z.string().nullable(),
});
export type ApiToken = z.infer<typeof apiTokenSchema>;
export const tokenResponseSchema = envelope(apiTokenSchema);
export const tokenPageResponseSchema = envelope(springPage(apiTokenSchema));

const shortText = text(255, { trim: true });
const nameText = text(255, { trim: true, min: 1 });
const longText = text(1024, { trim: true });
/** A presented token value (the alphabet check is the lookup: an unknown value is 401). */
const tokenValue = text(512, { min: 1 });

/** RFC 6750's b64token alphabet: what a bearer or refresh token may be made of. */
const TOKEN_ALPHABET_RE = /^[A-Za-z0-9._~+/-]+=*$/;
export const REFRESH_TOKEN_MIN = 32;
/** One message for every refused client-chosen refresh token, weak or already in use (no existence oracle). */
export const REFRESH_TOKEN_REFUSED =
  'not accepted: give at least 32 random characters of A-Z a-z 0-9 - . _ ~ + / (trailing =), or leave it out and one is generated';

/**
 * Trivial values: fewer than 8 distinct characters, or a unit repeated at least twice over three
 * quarters of the value or more (`aaaa…`, `abab…`, `0123456789` × 3 + `ab`): some prefix that long
 * has a smallest period (from the KMP prefix function) of at most half its length.
 */
export function isTrivialToken(v: string): boolean {
  if (new Set(v).size < 8) return true;
  const border: number[] = [0];
  for (let i = 1, k = 0; i < v.length; i++) {
    while (k > 0 && v[i] !== v[k]) k = border[k - 1]!;
    if (v[i] === v[k]) k++;
    border[i] = k;
    const len = i + 1;
    if (len * 4 >= v.length * 3 && len - k <= len / 2) return true;
  }
  return false;
}

/** A client-chosen refresh token (the seed lets the client pass one). */
export const clientRefreshTokenSchema = z
  .string()
  .max(512, REFRESH_TOKEN_REFUSED)
  .refine((v) => v.length >= REFRESH_TOKEN_MIN && TOKEN_ALPHABET_RE.test(v) && !isTrivialToken(v), REFRESH_TOKEN_REFUSED);

export const tokenCreateRequestSchema = z.object({
  name: nameText,
  description: longText.optional(),
  userUid: uidSchema.optional(),
  shopUid: shopUidSchema.optional(),
  channel: shortText.optional(),
  device: shortText.optional(),
  /** Optional client-chosen refresh token (32+ characters of the token alphabet, not trivial); generated when absent. */
  refreshToken: clientRefreshTokenSchema.optional(),
});
export type TokenCreateRequest = z.infer<typeof tokenCreateRequestSchema>;

export const tokenShopQuerySchema = z.object({ shopUid: shopUidSchema.optional() });
/** Body of token/query/org; may be omitted (defaults: page 0, size 20). */
export const tokenQueryOrgRequestSchema = z.object({ ...pageRequestFields }).nullish();
export const tokenQueryUserRequestSchema = z.object({ userUid: uidSchema, ...pageRequestFields });

export const tokenUidQuerySchema = z.object({ uid: uidSchema });
export const tokenDeleteQuerySchema = z.object({ uid: uidSchema.optional() });
export const tokenDeleteBodySchema = z.object({ uid: uidSchema.optional() }).nullish();

export const tokenUpdateRequestSchema = z.object({
  uid: uidSchema,
  name: nameText.optional(),
  description: longText.optional(),
  channel: shortText.optional(),
  device: shortText.optional(),
});
export type TokenUpdateRequest = z.infer<typeof tokenUpdateRequestSchema>;

export const tokenRefreshRequestSchema = z.object({
  refreshToken: tokenValue,
  channel: shortText.optional(),
});

export const tokenRevokeRequestSchema = z
  .object({
    uid: uidSchema.optional(),
    accessToken: tokenValue.optional(),
    revokeReason: longText.optional(),
  })
  .refine((b) => b.uid !== undefined || b.accessToken !== undefined, {
    message: 'Required (uid or accessToken)',
    path: ['uid'],
  });
export type TokenRevokeRequest = z.infer<typeof tokenRevokeRequestSchema>;
