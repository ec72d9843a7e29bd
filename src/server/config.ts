import { existsSync } from 'node:fs';
import { isIP } from 'node:net';
import { z } from 'zod';
import { DATABASE_DEFAULTS } from './db/defaults.ts';
import { storeConfigSchema, type StoreConfig } from './store/config.ts';

const bool = (dflt: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'], { message: 'must be true or false' })
    .default(dflt ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1' || v === 'yes' || v === 'on');

const int = (dflt: number, min: number, max: number) =>
  z.preprocess(
    (v) => (v === undefined || (typeof v === 'string' && v.trim() === '') ? dflt : typeof v === 'string' && /^-?\d+$/.test(v.trim()) ? Number(v) : v),
    z
      .number({ message: `must be an integer between ${min} and ${max}` })
      .int(`must be an integer between ${min} and ${max}`)
      .min(min, `must be an integer between ${min} and ${max}`)
      .max(max, `must be an integer between ${min} and ${max}`),
  );

const timezone = z
  .string()
  .default('Asia/Shanghai')
  .refine((tz) => {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  }, 'must be an IANA time zone such as Asia/Shanghai');

const emptyAsUndefined = (v: unknown) => (v === '' ? undefined : v);

const TRUST_PROXY_TRUE = 'must be a hop count or a list of proxy addresses/CIDRs, not true: trusting every hop lets a client write its own X-Forwarded-For, and so its own IP and rate-limit bucket';
/** An IPv4/IPv6 address, optionally with a /prefix, or one of proxy-addr's names. */
const isTrustedAddress = (entry: string) => {
  if (/^(loopback|linklocal|uniquelocal)$/.test(entry)) return true;
  const [address, prefix, ...rest] = entry.split('/');
  const family = isIP(address ?? '');
  if (!family || rest.length) return false;
  return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128));
};

/**
 * What Fastify's `trustProxy` takes, minus `true`: false (no proxy), a hop count (`1` behind one
 * proxy), or the proxies' addresses and CIDRs, comma-separated (`10.0.0.0/8,loopback`).
 */
const trustProxy = z
  .string()
  .default('false')
  .transform((raw, ctx): false | number | string[] => {
    const v = raw.trim().toLowerCase();
    if (['', 'false', 'off', 'no', '0'].includes(v)) return false;
    if (['true', 'on', 'yes'].includes(v)) {
      ctx.addIssue({ code: 'custom', message: TRUST_PROXY_TRUE });
      return z.NEVER;
    }
    if (/^\d{1,2}$/.test(v)) return Number(v);
    const list = v.split(',').map((e) => e.trim()).filter(Boolean);
    if (!list.length || !list.every(isTrustedAddress)) {
      ctx.addIssue({ code: 'custom', message: 'must be false, a hop count, or addresses/CIDRs separated by commas' });
      return z.NEVER;
    }
    return list;
  });

/** Every environment variable the server reads, with its default. */
export const envSchema = z.object({
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: int(9003, 0, 65535),
  DATABASE_URL: z
    .string()
    .default('sqlite:./data/shop-chat.db')
    .refine((u) => /^sqlite:.+/.test(u) || /^postgres(ql)?:\/\//.test(u), 'must be sqlite:PATH or postgres://…'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  NODE_ENV: z.string().default('development'),
  REDIS_URL: z.preprocess(emptyAsUndefined, z.string().regex(/^rediss?:\/\//, 'must be redis://…').optional()),
  SHOP_CHAT_ADMIN_TOKEN: z.preprocess(emptyAsUndefined, z.string().min(16, 'must be at least 16 characters').optional()),
  SHOP_CHAT_TOKEN_TTL: int(86_400, 60, 31_536_000),
  SHOP_CHAT_REFRESH_TOKEN_TTL: int(2_592_000, 60, 315_360_000),
  SHOP_CHAT_TIMEZONE: timezone,
  SHOP_CHAT_CHAT_URL: z.url({ message: 'must be an http(s) URL' }).default('https://cdn.weiyuai.cn/chat'),
  SHOP_CHAT_BYTEDESK_API_URL: z.url({ message: 'must be an http(s) URL' }).default('https://api.weiyuai.cn'),
  SHOP_CHAT_GOODS_DETAIL_PATH: z.string().default(''),
  SHOP_CHAT_ORDER_DETAIL_PATH: z.string().default(''),
  SHOP_CHAT_AUTO_REGISTER: bool(true),
  SHOP_CHAT_RATE_LIMIT: int(600, 1, 100_000_000),
  SHOP_CHAT_RATE_LIMIT_IP: int(1200, 1, 100_000_000),
  SHOP_CHAT_RATE_LIMIT_WINDOW: int(60, 1, 86_400),
  SHOP_CHAT_RATE_LIMIT_REFRESH: int(30, 1, 100_000_000),
  SHOP_CHAT_RATE_LIMIT_REFRESH_FAILURES: int(20, 1, 100_000_000),
  SHOP_CHAT_TRUST_PROXY: trustProxy,
  SHOP_CHAT_DEMO: z.preprocess(emptyAsUndefined, z.enum(['on', 'off'], { message: 'must be on or off' }).optional()),
  SHOP_CHAT_DOCS: z.enum(['on', 'off'], { message: 'must be on or off' }).default('on'),
  SHOP_CHAT_MAX_SEATS_PER_SHOP: int(1000, 1, 1_000_000),
  SHOP_CHAT_DB_POOL_SIZE: int(DATABASE_DEFAULTS.poolSize, 1, 1000),
  SHOP_CHAT_DB_CONNECT_TIMEOUT_MS: int(DATABASE_DEFAULTS.connectTimeoutMs, 50, 600_000),
  SHOP_CHAT_DB_STATEMENT_TIMEOUT_MS: int(DATABASE_DEFAULTS.statementTimeoutMs, 50, 600_000),
  SHOP_CHAT_DB_ACQUIRE_TIMEOUT_MS: int(DATABASE_DEFAULTS.acquireTimeoutMs, 50, 600_000),
  SHOP_CHAT_DB_BUSY_TIMEOUT_MS: int(DATABASE_DEFAULTS.busyTimeoutMs, 0, 600_000),
  SHOP_CHAT_PGBOUNCER: bool(false),
  SHOP_CHAT_DB_LISTEN_URL: z.preprocess(emptyAsUndefined, z.string().regex(/^postgres(ql)?:\/\//, 'must be postgres://…').optional()),
  SHOP_CHAT_DB_READ_CACHE: bool(true),
  SHOP_CHAT_HTTP_REQUEST_TIMEOUT_MS: int(15_000, 100, 3_600_000),
  SHOP_CHAT_HTTP_HEADERS_TIMEOUT_MS: int(10_000, 100, 3_600_000),
  SHOP_CHAT_HTTP_KEEP_ALIVE_TIMEOUT_MS: int(5_000, 100, 3_600_000),
  SHOP_CHAT_HTTP_IDLE_TIMEOUT_MS: int(30_000, 100, 3_600_000),
  /** Shop uid the server onboards at start for the demo pages; `off` disables (default off in production). */
  SHOP_CHAT_DEMO_SHOP: z.preprocess(emptyAsUndefined, z.string().regex(/^[\w.-]{1,64}$/, 'must be a shop uid or off').optional()),
  /** Upstream mode: the Bytedesk server whose shop open API serves onboard, binding, update, vip-level and seats. */
  SHOP_CHAT_UPSTREAM_URL: z.preprocess(emptyAsUndefined, z.url({ message: 'must be an http(s) URL' }).optional()),
  /** This server's upstream credential, stored (encrypted) at the first start when none is stored yet. */
  SHOP_CHAT_UPSTREAM_ACCESS_TOKEN: z.preprocess(emptyAsUndefined, z.string().min(1).max(4096).optional()),
  SHOP_CHAT_UPSTREAM_REFRESH_TOKEN: z.preprocess(emptyAsUndefined, z.string().min(1).max(4096).optional()),
});

export interface Config {
  host: string;
  port: number;
  databaseUrl: string;
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
  nodeEnv: string;
  redisUrl: string | undefined;
  adminToken: string | undefined;
  tokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  timezone: string;
  chatUrl: string;
  /** Bytedesk API base handed to the widget (its unread count). */
  bytedeskApiUrl: string;
  goodsDetailPath: string;
  orderDetailPath: string;
  autoRegister: boolean;
  rateLimit: { perToken: number; perIp: number; perRefreshToken: number; refreshFailuresPerIp: number; windowMs: number };
  /** Fastify's trustProxy: false, a hop count, or trusted proxy addresses/CIDRs (never `true`). */
  trustProxy: false | number | string[];
  /** Serve /demo/ (SHOP_CHAT_DEMO; default on, off when NODE_ENV=production). */
  demoPages: boolean;
  /** Serve /docs and /openapi.json (SHOP_CHAT_DOCS). */
  docs: boolean;
  /** Live seats one shop may hold; creating more is a 409. */
  maxSeatsPerShop: number;
  /** Demo shop onboarded at start, or null. */
  demoShop: string | null;
  /** HTTP server timeouts (app.ts). */
  http: {
    /** Whole request, body included, from its first byte (slow-body clients). */
    requestTimeoutMs: number;
    /** Request headers complete (connections that send nothing). */
    headersTimeoutMs: number;
    /** An idle keep-alive connection between two requests. */
    keepAliveTimeoutMs: number;
    /** A socket with no traffic at all in either direction. */
    idleTimeoutMs: number;
  };
  /** Pool, timeouts and PgBouncer mode of the database (db/index.ts DatabaseOptions). */
  database: {
    poolSize: number;
    connectTimeoutMs: number;
    statementTimeoutMs: number;
    acquireTimeoutMs: number;
    busyTimeoutMs: number;
    pgbouncer: boolean;
    /** PostgreSQL: LISTEN connection of the read cache (PostgreSQL itself, not PgBouncer). */
    listenUrl: string | undefined;
    readCache: boolean;
  };
  store: StoreConfig;
  /** Upstream mode (SHOP_CHAT_UPSTREAM_URL set), else null: the local database serves the open API. */
  upstream: UpstreamConfig | null;
}

export interface UpstreamConfig {
  /** Base URL without a trailing slash; the open API lives below `{url}/api/v1/shop/open`. */
  url: string;
  /** Timeout of one upstream call (SHOP_CHAT_UPSTREAM_TIMEOUT_MS, shared with the store platforms). */
  timeoutMs: number;
  /** Stored at the first start when no credential is stored yet (`npm run admin -- upstream set-token` otherwise). */
  initialAccessToken: string | undefined;
  initialRefreshToken: string | undefined;
}

/**
 * `config.trustProxy` as Fastify takes it. A hop count becomes proxy-addr's trust function (the
 * first `n` hops from the socket), since Fastify 5 reads a bare number as "trust nothing". A hop
 * count is only sound when the server can be reached through the proxies alone.
 */
export function fastifyTrustProxy(tp: Config['trustProxy']): false | string[] | ((address: string, hop: number) => boolean) {
  return typeof tp === 'number' ? (_address, hop) => hop < tp : tp;
}

/** Thrown by `loadConfig`; its message is the one line printed at start. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Validates the environment; a bad value throws a ConfigError whose message names the variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) throw new ConfigError(describe(parsed.error, env));
  const store = storeConfigSchema.safeParse(env);
  if (!store.success) throw new ConfigError(describe(store.error, env));
  const e = parsed.data;
  return {
    host: e.HOST,
    port: e.PORT,
    databaseUrl: e.DATABASE_URL,
    logLevel: e.LOG_LEVEL,
    nodeEnv: e.NODE_ENV,
    redisUrl: e.REDIS_URL,
    adminToken: e.SHOP_CHAT_ADMIN_TOKEN,
    tokenTtlSeconds: e.SHOP_CHAT_TOKEN_TTL,
    refreshTokenTtlSeconds: e.SHOP_CHAT_REFRESH_TOKEN_TTL,
    timezone: e.SHOP_CHAT_TIMEZONE,
    chatUrl: e.SHOP_CHAT_CHAT_URL,
    bytedeskApiUrl: e.SHOP_CHAT_BYTEDESK_API_URL.replace(/\/+$/, ''),
    goodsDetailPath: e.SHOP_CHAT_GOODS_DETAIL_PATH,
    orderDetailPath: e.SHOP_CHAT_ORDER_DETAIL_PATH,
    autoRegister: e.SHOP_CHAT_AUTO_REGISTER,
    rateLimit: {
      perToken: e.SHOP_CHAT_RATE_LIMIT,
      perIp: e.SHOP_CHAT_RATE_LIMIT_IP,
      perRefreshToken: e.SHOP_CHAT_RATE_LIMIT_REFRESH,
      refreshFailuresPerIp: e.SHOP_CHAT_RATE_LIMIT_REFRESH_FAILURES,
      windowMs: e.SHOP_CHAT_RATE_LIMIT_WINDOW * 1000,
    },
    trustProxy: e.SHOP_CHAT_TRUST_PROXY,
    demoPages: e.SHOP_CHAT_DEMO === undefined ? e.NODE_ENV !== 'production' : e.SHOP_CHAT_DEMO === 'on',
    docs: e.SHOP_CHAT_DOCS === 'on',
    maxSeatsPerShop: e.SHOP_CHAT_MAX_SEATS_PER_SHOP,
    demoShop:
      e.SHOP_CHAT_DEMO_SHOP === 'off' ? null : (e.SHOP_CHAT_DEMO_SHOP ?? (e.NODE_ENV === 'production' ? null : 'demo_shop')),
    http: {
      requestTimeoutMs: e.SHOP_CHAT_HTTP_REQUEST_TIMEOUT_MS,
      // Node requires headersTimeout <= requestTimeout.
      headersTimeoutMs: Math.min(e.SHOP_CHAT_HTTP_HEADERS_TIMEOUT_MS, e.SHOP_CHAT_HTTP_REQUEST_TIMEOUT_MS),
      keepAliveTimeoutMs: e.SHOP_CHAT_HTTP_KEEP_ALIVE_TIMEOUT_MS,
      idleTimeoutMs: e.SHOP_CHAT_HTTP_IDLE_TIMEOUT_MS,
    },
    database: {
      poolSize: e.SHOP_CHAT_DB_POOL_SIZE,
      connectTimeoutMs: e.SHOP_CHAT_DB_CONNECT_TIMEOUT_MS,
      statementTimeoutMs: e.SHOP_CHAT_DB_STATEMENT_TIMEOUT_MS,
      acquireTimeoutMs: e.SHOP_CHAT_DB_ACQUIRE_TIMEOUT_MS,
      busyTimeoutMs: e.SHOP_CHAT_DB_BUSY_TIMEOUT_MS,
      pgbouncer: e.SHOP_CHAT_PGBOUNCER,
      listenUrl: e.SHOP_CHAT_DB_LISTEN_URL,
      readCache: e.SHOP_CHAT_DB_READ_CACHE,
    },
    store: store.data,
    upstream: e.SHOP_CHAT_UPSTREAM_URL
      ? {
          url: e.SHOP_CHAT_UPSTREAM_URL.replace(/\/+$/, ''),
          timeoutMs: store.data.SHOP_CHAT_UPSTREAM_TIMEOUT_MS,
          initialAccessToken: e.SHOP_CHAT_UPSTREAM_ACCESS_TOKEN,
          initialRefreshToken: e.SHOP_CHAT_UPSTREAM_REFRESH_TOKEN,
        }
      : null,
  };
}

function describe(error: z.ZodError, env: NodeJS.ProcessEnv): string {
  const issue = error.issues[0];
  const name = issue?.path.join('.') || 'environment';
  const value = env[name] === undefined ? 'missing' : 'invalid';
  return `Invalid configuration: ${name} is ${value}: ${issue?.message ?? 'bad value'}`.replace(/\s+/g, ' ');
}

/** Loads `.env` from the working directory into process.env (existing variables win). */
export function loadDotEnv(path = '.env'): void {
  if (existsSync(path)) process.loadEnvFile(path);
}
