import { z } from 'zod';
import { baseEntityShape, httpUrlSchema, isoDateTimeSchema, plainNameSchema, shopUidSchema, text } from './common.ts';
import { envelope } from './envelope.ts';

export const seatSourceSchema = z.enum(['BASE', 'EXTRA']);
export const seatStatusSchema = z.enum(['AVAILABLE', 'ASSIGNED', 'EXPIRED']);

/** `AgentSeatEntity` as the seed returns it. */
export const agentSeatSchema = z.object({
  ...baseEntityShape,
  seatNo: z.string(),
  source: seatSourceSchema,
  status: seatStatusSchema,
  baseSeat: z.boolean(),
  expireAt: z.string().nullable(),
  assignedAgentUid: z.string().nullable(),
  assignedMemberUid: z.string().nullable(),
  assignedAt: z.string().nullable(),
  releasedAt: z.string().nullable(),
  type: z.string(),
});
export type AgentSeat = z.infer<typeof agentSeatSchema>;

export const shopAgentSchema = z.object({
  uid: z.string(),
  nickname: z.string(),
  avatar: z.string().nullable(),
  status: z.string().nullable(),
  enabled: z.boolean(),
  seatExpireAt: z.string().nullable(),
});
export type ShopAgent = z.infer<typeof shopAgentSchema>;

export const shopWorkgroupSchema = z.object({
  uid: z.string(),
  nickname: z.string(),
  avatar: z.string().nullable(),
  type: z.string().nullable(),
  status: z.string().nullable(),
  enabled: z.boolean(),
});
export type ShopWorkgroup = z.infer<typeof shopWorkgroupSchema>;

/** The shop object of the seed, with its agents, seats and workgroups. */
export const shopSchema = z.object({
  ...baseEntityShape,
  name: z.string(),
  shopUid: z.string(),
  description: z.string().nullable(),
  logo: z.string().nullable(),
  type: z.string(),
  status: z.string().nullable(),
  expireAt: z.string().nullable(),
  enabled: z.boolean(),
  vipLevel: z.number().int(),
  agents: z.array(shopAgentSchema),
  agentSeats: z.array(agentSeatSchema),
  workgroups: z.array(shopWorkgroupSchema),
});
export type Shop = z.infer<typeof shopSchema>;

/** Shown by the public widget config: plain text, 255 characters as Bytedesk's shop name. */
const shopNameSchema = plainNameSchema(255);
/** Shown by the public widget config as an image: http(s) only (no `javascript:`). */
const shopLogoSchema = httpUrlSchema(2048);

// ---- 1) onboard ----
export const onboardRequestSchema = z.object({
  mobile: text(64, { trim: true }).regex(/^\+?[0-9][0-9 -]{3,30}$/, 'must be a phone number'),
  country: text(16, { trim: true }).regex(/^[0-9]{1,6}$/, 'must be a numeric country code').default('86'),
  shopUid: shopUidSchema,
  shopName: shopNameSchema.optional(),
  shopLogo: shopLogoSchema.optional(),
});
export type OnboardRequest = z.infer<typeof onboardRequestSchema>;

export const onboardDataSchema = z.object({
  mobile: z.string(),
  country: z.string(),
  shopList: z.array(shopSchema),
});
export const onboardResponseSchema = envelope(onboardDataSchema);
export type OnboardData = z.infer<typeof onboardDataSchema>;

// ---- 2) binding ----
export const bindingQuerySchema = z.object({ shopUid: shopUidSchema });
export const bindingDataSchema = z.object({ shopUid: z.string(), shop: shopSchema });
export const bindingResponseSchema = envelope(bindingDataSchema);

// ---- 3) update ----
export const shopUpdateRequestSchema = z
  .object({
    shopUid: shopUidSchema,
    shopName: shopNameSchema.optional(),
    shopLogo: shopLogoSchema.optional(),
  })
  .refine((b) => b.shopName !== undefined || b.shopLogo !== undefined, {
    message: 'shopName or shopLogo is required',
    path: ['shopName'],
  });
export type ShopUpdateRequest = z.infer<typeof shopUpdateRequestSchema>;
export const shopResponseSchema = envelope(shopSchema);

// ---- 4) vip-level ----
const positiveInt = z.number().int().positive().max(1_000_000);
export const vipLevelRequestSchema = z.object({
  shopUid: shopUidSchema,
  vipLevel: z.union([z.literal(0), z.literal(1)], { message: 'must be 0 or 1' }),
  vipExpireDate: isoDateTimeSchema.optional(),
  maxMembers: positiveInt.optional(),
  maxAgents: positiveInt.optional(),
  maxWorkgroups: positiveInt.optional(),
});
export type VipLevelRequest = z.infer<typeof vipLevelRequestSchema>;
