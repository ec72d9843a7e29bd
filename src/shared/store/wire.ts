// Wire formats of the store platforms (seeds 001 Shoplazza, 002 Youzan, 003 FKW): every upstream
// response is parsed with one of these before anything is read from it.
import { z } from 'zod';

const idLike = z.union([z.string().min(1), z.number()]).transform(String);
const num = z.union([z.number(), z.string().regex(/^\d+(\.\d+)?$/).transform(Number)]);

// ---- Shoplazza (seed 001) ------------------------------------------------------------------
export const ShoplazzaTokenResponse = z.looseObject({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  /** Seconds. */
  expires_in: num.optional(),
  refresh_token: z.string().min(1).optional(),
  scope: z.string().optional(),
  /** Unix seconds. */
  created_at: num.optional(),
  store_id: idLike.optional(),
  store_name: z.string().optional(),
  /** Unix seconds. */
  expires_at: num.optional(),
  locale: z.string().optional(),
});
export type ShoplazzaTokenResponse = z.infer<typeof ShoplazzaTokenResponse>;

/** OAuth error body (RFC 6749 §5.2), as Shoplazza's token endpoints answer it. */
export const OAuthErrorResponse = z.looseObject({
  error: z.string(),
  error_description: z.string().optional(),
});

/** Admin open API `GET /openapi/2022-01/shop` (used to validate a private-app token). */
export const ShoplazzaShopResponse = z.looseObject({
  shop: z.looseObject({ id: idLike, name: z.string().optional(), domain: z.string().optional() }),
});

// ---- Youzan (seed 002) ---------------------------------------------------------------------
export const YouzanTokenData = z.looseObject({
  access_token: z.string().min(1),
  /** Expiry of the access token, epoch milliseconds. */
  expires: num.optional(),
  scope: z.string().optional(),
  authority_id: idLike.optional(),
  refresh_token: z.string().min(1).optional(),
});
export const YouzanTokenEnvelope = z.looseObject({
  success: z.boolean(),
  code: z.number().optional(),
  data: z.unknown().optional(),
  message: z.string().nullable().optional(),
});
export type YouzanTokenEnvelope = z.infer<typeof YouzanTokenEnvelope>;

// ---- FKW (seed 003) ------------------------------------------------------------------------
/** Errors come as `{rt, success: false, msg}`, possibly with HTTP 200. */
export const FkwEnvelope = z.looseObject({
  rt: z.number().optional(),
  success: z.boolean().optional(),
  msg: z.string().optional(),
});
export const FkwTokenResponse = z.looseObject({
  shop_id: idLike,
  shop_name: z.string().optional(),
  user_id: idLike.optional(),
  /** Seconds until the refresh token expires (28 days). */
  re_expires_in: num.optional(),
  /** Seconds until the access token expires (2 hours). */
  expires_in: num.optional(),
  token_type: z.string().optional(),
  refresh_token: z.string().min(1),
  access_token: z.string().min(1),
  platform_code: z.string().optional(),
});
export type FkwTokenResponse = z.infer<typeof FkwTokenResponse>;

export const FkwSku = z.looseObject({
  sku_id: idLike.optional(),
  price: num.optional(),
  properties_name: z.unknown().optional(),
  stock: num.optional(),
  product_code: z.string().optional(),
});
export const FkwProduct = z.looseObject({
  id: idLike,
  name: z.string(),
  code: z.string().optional(),
  picture: z.string().optional(),
  create_time: z.string().optional(),
  update_time: z.string().optional(),
  on_shelf: z.boolean().optional(),
  sku_list: z.array(FkwSku).optional(),
});
export type FkwProduct = z.infer<typeof FkwProduct>;
export const FkwProductListResponse = z.looseObject({
  rt: z.number().optional(),
  success: z.literal(true),
  msg: z.string().optional(),
  product_list: z.array(FkwProduct),
  total: num.optional(),
});
export type FkwProductListResponse = z.infer<typeof FkwProductListResponse>;
