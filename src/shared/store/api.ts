// Request and response bodies of the store-connection API (/api/v1/shop/open/store/…):
// the single source of truth; the server's route schemas and the TypeScript types come from here.
import { z } from 'zod';
import { httpUrlSchema, text } from '../api/common.ts';

export const StorePlatform = z.enum(['SHOPLAZZA', 'YOUZAN', 'FKW']);
export type StorePlatform = z.infer<typeof StorePlatform>;

export const StoreAuthType = z.enum(['URL', 'KEY']);
export type StoreAuthType = z.infer<typeof StoreAuthType>;

export const StoreConnectionStatus = z.enum(['PENDING', 'AUTHORIZED', 'NEEDS_REAUTH', 'FAILED']);
export type StoreConnectionStatus = z.infer<typeof StoreConnectionStatus>;

const shopUid = text(128, { trim: true, long: 'at most 128 characters' }).min(1, 'is required');
const sellerId = text(64, { trim: true, long: 'at most 64 characters' }).min(1, 'must not be empty');
const secretText = text(2048, { long: 'at most 2048 characters' }).min(1, 'must not be empty');

export const StoreAuthInfo = z.strictObject({
  token: secretText.optional(),
  apiKey: secretText.optional(),
  apiSecret: secretText.optional(),
});
export type StoreAuthInfo = z.infer<typeof StoreAuthInfo>;

export const AuthorizeRequest = z
  .object({
    shopUid,
    platform: StorePlatform,
    sellerId: sellerId.optional(),
    authType: StoreAuthType,
    authInfo: StoreAuthInfo.optional(),
    /** Checked further by the server (redirectUrlProblem: URL parse, user info, host allow-list). */
    redirectUrl: httpUrlSchema(255).optional(),
  })
  .superRefine((v, ctx) => {
    if (v.authType !== 'KEY') return;
    const info = v.authInfo;
    if (!info) {
      ctx.addIssue({ code: 'custom', path: ['authInfo'], message: 'is required when authType is KEY' });
      return;
    }
    const hasToken = info.token !== undefined;
    const hasKey = info.apiKey !== undefined || info.apiSecret !== undefined;
    if (hasToken === hasKey) {
      ctx.addIssue({
        code: 'custom',
        path: ['authInfo'],
        message: 'give either token, or apiKey and apiSecret',
      });
    } else if (hasKey && (info.apiKey === undefined || info.apiSecret === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['authInfo', info.apiKey === undefined ? 'apiKey' : 'apiSecret'],
        message: 'is required together with the other half of the key pair',
      });
    }
  });
export type AuthorizeRequest = z.infer<typeof AuthorizeRequest>;

/** One connection as the API shows it: never a token, a secret or a code. */
export const StoreConnectionView = z.object({
  shopUid: z.string(),
  platform: StorePlatform,
  sellerId: z.string().nullable(),
  sellerName: z.string().nullable(),
  authType: StoreAuthType,
  status: StoreConnectionStatus,
  expiresAt: z.string().nullable(),
  refreshExpiresAt: z.string().nullable(),
  lastRefreshAt: z.string().nullable(),
  lastError: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type StoreConnectionView = z.infer<typeof StoreConnectionView>;

export const AuthorizeResponse = z.object({
  /** URL authorisation: the platform page the merchant opens. */
  authUrl: z.string().optional(),
  /** KEY authorisation: the stored connection. */
  connection: StoreConnectionView.optional(),
});
export type AuthorizeResponse = z.infer<typeof AuthorizeResponse>;

export const StatusQuery = z.object({ shopUid });
export const StatusResponse = z.object({
  shopUid: z.string(),
  connections: z.array(StoreConnectionView),
});
export type StatusResponse = z.infer<typeof StatusResponse>;

export const RevokeRequest = z.object({ shopUid, platform: StorePlatform });
export type RevokeRequest = z.infer<typeof RevokeRequest>;
export const RevokeResponse = z.object({ shopUid: z.string(), platform: StorePlatform, revoked: z.boolean() });
export type RevokeResponse = z.infer<typeof RevokeResponse>;

export const CallbackParams = z.object({
  platform: z
    .string()
    .transform((s) => s.toUpperCase())
    .pipe(StorePlatform),
});
/** Query of the OAuth redirect; platforms add their own extra parameters, which are ignored. */
export const CallbackQuery = z.looseObject({
  code: text(2048).optional(),
  state: text(2048).optional(),
  error: text(512).optional(),
  error_description: text(1024).optional(),
});

export const WidgetGoodsQuery = z.object({
  shopUid,
  goodsUid: text(128, { trim: true, long: 'at most 128 characters' }).min(1, 'is required'),
});

/** Body of the webhook POST sent to SHOP_CHAT_WEBHOOK_URL (signed: X-Shop-Chat-Signature). */
export const StoreWebhookEvent = z.object({
  eventId: z.string(),
  type: z.literal('store.authorization'),
  occurredAt: z.string(),
  shopUid: z.string(),
  platform: StorePlatform,
  sellerId: z.string().nullable(),
  authType: StoreAuthType,
  status: z.enum(['AUTHORIZED', 'NEEDS_REAUTH', 'FAILED']),
  auth_status: z.enum(['SUCCESS', 'FAIL']),
  auth_fail_reason: z.string(),
});
export type StoreWebhookEvent = z.infer<typeof StoreWebhookEvent>;

/**
 * The card `GET /api/v1/shop/widget/goods` answers: the public subset of `GoodsInfo` (cards.ts)
 * a platform's product data fills. Built values are validated with `GoodsInfo` itself; this plain
 * schema (no transforms) is what the response serializer and the OpenAPI document use, and the
 * type check below keeps it assignable to GoodsInfo.
 */
export const WidgetGoodsCard = z.object({
  uid: z.string(),
  type: z.literal('GOODS'),
  shopUid: z.string(),
  title: z.string().max(100),
  price: z.number().nonnegative().optional(),
  image: z.string().optional(),
  url: z.string().optional(),
  status: z.enum(['ON_SHELF', 'OFF_SHELF']).optional(),
});
export type WidgetGoodsCard = z.infer<typeof WidgetGoodsCard>;
type _GoodsCompat = WidgetGoodsCard extends import('../cards.ts').GoodsInfo ? true : never;
export const _goodsCompat: _GoodsCompat = true;
