import { z } from 'zod';

// Environment variables of the store connections; merged into the server config as `config.store`.
// Keys are the variable names themselves so a bad value is reported by its name.

const optionalText = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));
const httpUrl = (name: string) =>
  optionalText.refine((v) => v === undefined || /^https?:\/\/[^\s/?#]+/i.test(v), {
    message: `${name} must be an http(s) URL`,
  });
const baseUrl = (name: string, dflt: string) =>
  z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? dflt : v.trim()).replace(/\/+$/, ''))
    .refine((v) => /^https?:\/\/[^\s/?#]+/i.test(v), { message: `${name} must be an http(s) URL` });
const positiveInt = (dflt: number) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') return dflt;
      const n = Number(v);
      if (!Number.isInteger(n) || n <= 0) {
        ctx.addIssue({ code: 'custom', message: 'must be a positive integer' });
        return z.NEVER;
      }
      return n;
    });

/** 32 bytes, base64 (standard or url-safe). */
export function decodeSecretKey(value: string): Buffer | undefined {
  const s = value.trim();
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(s)) return undefined;
  const buf = Buffer.from(s.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  return buf.length === 32 ? buf : undefined;
}

const secretKey = optionalText.refine((v) => v === undefined || decodeSecretKey(v) !== undefined, {
  message: 'SHOP_CHAT_SECRET_KEY must be 32 bytes in base64 (openssl rand -base64 32)',
});
const previousKeys = optionalText.refine(
  (v) => v === undefined || v.split(',').every((k) => k.trim() === '' || decodeSecretKey(k) !== undefined),
  { message: 'SHOP_CHAT_SECRET_KEY_PREVIOUS must be a comma-separated list of 32-byte base64 keys' },
);

export const storeConfigSchema = z
  .object({
    NODE_ENV: optionalText,
    /** AES-256-GCM key of the token vault, 32 bytes base64. Required when NODE_ENV=production. */
    SHOP_CHAT_SECRET_KEY: secretKey,
    /** Earlier keys, comma-separated, still accepted for decryption after a rotation. */
    SHOP_CHAT_SECRET_KEY_PREVIOUS: previousKeys,
    SHOP_CHAT_WEBHOOK_URL: httpUrl('SHOP_CHAT_WEBHOOK_URL'),
    SHOP_CHAT_WEBHOOK_SECRET: optionalText,
    SHOP_CHAT_REFRESH_SWEEP: z
      .string()
      .optional()
      .transform((v) => (v ?? 'on').trim().toLowerCase())
      .pipe(z.enum(['on', 'off'], { message: 'SHOP_CHAT_REFRESH_SWEEP must be on or off' })),
    /** Seconds between two sweeps (each one jittered by ±10 %). */
    SHOP_CHAT_REFRESH_SWEEP_INTERVAL: positiveInt(3600),
    /** Public base URL of this server; the default OAuth callbacks hang below it. */
    SHOP_CHAT_PUBLIC_URL: baseUrl('SHOP_CHAT_PUBLIC_URL', 'http://127.0.0.1:9003'),
    /** Timeout of one upstream (platform) HTTP call, milliseconds. */
    SHOP_CHAT_UPSTREAM_TIMEOUT_MS: positiveInt(10_000),
    /** Lifetime of a cached product card, seconds. */
    SHOP_CHAT_GOODS_CACHE_TTL: positiveInt(300),
    /** Upstream product-API calls one shop's public goods lookups may make per minute (a catalogue page each). */
    SHOP_CHAT_GOODS_UPSTREAM_PER_MINUTE: positiveInt(30),
    /** Hosts a store authorisation's redirectUrl may point at, comma-separated (`*.example.com` for subdomains); unset: any. */
    SHOP_CHAT_REDIRECT_HOSTS: optionalText,

    SHOPLAZZA_CLIENT_ID: optionalText,
    SHOPLAZZA_CLIENT_SECRET: optionalText,
    SHOPLAZZA_REDIRECT_URI: httpUrl('SHOPLAZZA_REDIRECT_URI'),
    SHOPLAZZA_SCOPES: z
      .string()
      .optional()
      .transform((v) => v?.trim() || 'read_shop read_product'),
    /** Store host of `{store}`; ignored when SHOPLAZZA_URL_TEMPLATE is set. */
    SHOPLAZZA_BASE_DOMAIN: z
      .string()
      .optional()
      .transform((v) => v?.trim() || 'myshoplaza.com')
      .refine((v) => /^[a-z0-9.-]+(:\d+)?$/i.test(v), { message: 'SHOPLAZZA_BASE_DOMAIN must be a host name' }),
    /** Base URL of a store, `{store}` replaced by the store name, e.g. http://127.0.0.1:4000/{store}. */
    SHOPLAZZA_URL_TEMPLATE: optionalText.refine((v) => v === undefined || v.includes('{store}'), {
      message: 'SHOPLAZZA_URL_TEMPLATE must contain {store}',
    }),
    /** Where the initial token is obtained (seed 001: partners.shoplazza.com/partner/oauth/token). */
    SHOPLAZZA_PARTNER_URL: baseUrl('SHOPLAZZA_PARTNER_URL', 'https://partners.shoplazza.com'),

    YOUZAN_CLIENT_ID: optionalText,
    YOUZAN_CLIENT_SECRET: optionalText,
    YOUZAN_REDIRECT_URI: httpUrl('YOUZAN_REDIRECT_URI'),
    YOUZAN_BASE_URL: baseUrl('YOUZAN_BASE_URL', 'https://open.youzanyun.com'),

    FKW_APP_ID: optionalText,
    FKW_APP_SECRET: optionalText,
    FKW_REDIRECT_URI: httpUrl('FKW_REDIRECT_URI'),
    FKW_BASE_URL: baseUrl('FKW_BASE_URL', 'https://waybill.api.jz.fkw.com'),
    FKW_PLATFORM_CODE: z
      .string()
      .optional()
      .transform((v) => (v?.trim() || 'FKW').toUpperCase())
      .pipe(z.enum(['FKW', 'WSC'], { message: 'FKW_PLATFORM_CODE must be FKW or WSC' })),
  })
  .superRefine((c, ctx) => {
    if (c.NODE_ENV === 'production' && !c.SHOP_CHAT_SECRET_KEY) {
      ctx.addIssue({
        code: 'custom',
        path: ['SHOP_CHAT_SECRET_KEY'],
        message: 'SHOP_CHAT_SECRET_KEY is required when NODE_ENV=production',
      });
    }
    if (c.SHOP_CHAT_WEBHOOK_URL && !c.SHOP_CHAT_WEBHOOK_SECRET) {
      ctx.addIssue({
        code: 'custom',
        path: ['SHOP_CHAT_WEBHOOK_SECRET'],
        message: 'SHOP_CHAT_WEBHOOK_SECRET is required when SHOP_CHAT_WEBHOOK_URL is set',
      });
    }
  });
export type StoreConfig = z.output<typeof storeConfigSchema>;

/** The default OAuth redirect target of a platform on this server. */
export function callbackUrl(config: StoreConfig, platform: 'SHOPLAZZA' | 'YOUZAN' | 'FKW'): string {
  const explicit =
    platform === 'SHOPLAZZA'
      ? config.SHOPLAZZA_REDIRECT_URI
      : platform === 'YOUZAN'
        ? config.YOUZAN_REDIRECT_URI
        : config.FKW_REDIRECT_URI;
  return explicit ?? `${config.SHOP_CHAT_PUBLIC_URL}/api/v1/shop/open/store/callback/${platform.toLowerCase()}`;
}

/** A config for tests and tools: the defaults plus `env`. */
export function parseStoreConfig(env: Record<string, string | undefined>): StoreConfig {
  return storeConfigSchema.parse(env);
}
