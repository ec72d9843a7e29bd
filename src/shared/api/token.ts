import { z } from 'zod';
import { baseEntityShape, shopUidSchema, uidSchema } from './common.ts';
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

const shortText = z.string().trim().max(255);

export const tokenCreateRequestSchema = z.object({
  name: z.string().trim().min(1).max(255),
  description: z.string().trim().max(1024).optional(),
  userUid: uidSchema.optional(),
  shopUid: shopUidSchema.optional(),
  channel: shortText.optional(),
  device: shortText.optional(),
  /** Optional client-chosen refresh token (at least 32 characters); generated when absent. */
  refreshToken: z.string().min(32).max(512).optional(),
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
  name: z.string().trim().min(1).max(255).optional(),
  description: z.string().trim().max(1024).optional(),
  channel: shortText.optional(),
  device: shortText.optional(),
});
export type TokenUpdateRequest = z.infer<typeof tokenUpdateRequestSchema>;

export const tokenRefreshRequestSchema = z.object({
  refreshToken: z.string().min(1).max(512),
  channel: shortText.optional(),
});

export const tokenRevokeRequestSchema = z
  .object({
    uid: uidSchema.optional(),
    accessToken: z.string().min(1).max(512).optional(),
    revokeReason: z.string().trim().max(1024).optional(),
  })
  .refine((b) => b.uid !== undefined || b.accessToken !== undefined, {
    message: 'Required (uid or accessToken)',
    path: ['uid'],
  });
export type TokenRevokeRequest = z.infer<typeof tokenRevokeRequestSchema>;
