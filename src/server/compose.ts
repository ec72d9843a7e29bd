// The composition root: every service of a server built once from its config and database, then
// handed to the HTTP plugins (app.ts), the refresh sweep (main.ts) and the admin CLI through their
// options. Nothing is looked up by handle elsewhere: two sets of services in one process (tests)
// share nothing.
import type { FastifyBaseLogger } from 'fastify';
import { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import type { DestinationStream } from 'pino';
import { createAuth, type Auth } from './auth.ts';
import type { Config } from './config.ts';
import type { DatabaseHandle, DialectName } from './db/index.ts';
import type { Database } from './db/types.ts';
import { createShopEvents, type ShopEvents } from './events.ts';
import { createLogger } from './http/logging.ts';
import { createMetrics, type Metrics } from './http/metrics.ts';
import type { OpenApiBackend } from './open-api/backend.ts';
import { createLocalBackend } from './open-api/local.ts';
import { createUpstreamBackend, type UpstreamServices } from './open-api/upstream/backend.ts';
import type { TokenContext } from './services/tokens.ts';
import { StoreService, dataDirFor, type StoreServiceOptions } from './store/service.ts';
import { createVault, type Vault } from './store/vault.ts';
import { webhookSenderFor } from './store/webhook.ts';

export interface Services {
  config: Config;
  db: Kysely<Database>;
  dialect: DialectName;
  now: () => Date;
  log: FastifyBaseLogger;
  events: ShopEvents;
  auth: Auth;
  /** The open API's backend: our database (local) or a Bytedesk behind us (upstream). */
  openApi: OpenApiBackend;
  /** Upstream mode (SHOP_CHAT_UPSTREAM_URL): this server's upstream credential and the binding mirror. */
  upstream: UpstreamServices | undefined;
  tokens: TokenContext;
  vault: Vault;
  store: StoreService;
  metrics: Metrics;
  /** Shared rate-limit counts (REDIS_URL), else undefined. */
  redis: Redis | undefined;
  /** Stops what the services run (the webhook sender, Redis); the database handle is the caller's. */
  close(): Promise<void>;
}

export interface ServicesOptions {
  /** Clock (tests move it). */
  now?: () => Date;
  /** Log destination (tests capture it); default stdout. */
  logStream?: DestinationStream;
  /** prom-client's process metrics (default on). */
  defaultMetrics?: boolean;
  /** Store-service knobs for tests and benchmarks (fetch, retry policy, poll interval, …). */
  store?: Partial<Omit<StoreServiceOptions, 'db' | 'config' | 'log' | 'vault' | 'observer' | 'webhook'>>;
}

export function createServices(
  config: Config,
  database: Pick<DatabaseHandle, 'db' | 'dialect'> & Partial<Pick<DatabaseHandle, 'events'>>,
  options: ServicesOptions = {},
): Services {
  const { db, dialect } = database;
  const now = options.now ?? (() => new Date());
  const log = createLogger(config, options.logStream) as unknown as FastifyBaseLogger;
  const events = createShopEvents();
  const metrics = createMetrics({
    defaultMetrics: options.defaultMetrics,
    poolErrors: () => database.events?.poolErrors ?? 0,
    webhookOutbox: () => webhook.counts(), // read at scrape time, once the sender below exists
  });
  // Errors of pooled database connections (a terminated backend, a restart, a proxy's idle kill):
  // logged and counted, never fatal.
  const onPoolError = (err: Error) => log.warn({ err: err.message }, 'database connection error');
  database.events?.emitter.on('pool-error', onPoolError);
  const vault = createVault({
    secretKey: config.store.SHOP_CHAT_SECRET_KEY,
    previousKeys: config.store.SHOP_CHAT_SECRET_KEY_PREVIOUS,
    dataDir: dataDirFor(config.databaseUrl),
    nodeEnv: config.nodeEnv,
    log,
  });
  // The webhook outbox's sender: it sends what this instance commits at once, and main.ts starts
  // its polling for what other instances or a crash left.
  const storeOptions = options.store ?? {};
  const webhook = webhookSenderFor(config.store, {
    db,
    log,
    observer: metrics.webhook,
    ...(storeOptions.fetch ? { fetch: storeOptions.fetch } : {}),
    ...(storeOptions.instanceId ? { instanceId: storeOptions.instanceId } : {}),
    ...(storeOptions.webhookBackoff ?? {}),
  });
  const store = new StoreService({
    db,
    config: config.store,
    log,
    vault,
    observer: metrics.store,
    webhook,
    now: () => now().getTime(),
    ...storeOptions,
  });
  const upstream = config.upstream
    ? createUpstreamBackend({ db, config: config.upstream, vault: store.vault, log, events, now })
    : undefined;
  const openApi =
    upstream?.backend ??
    createLocalBackend({ db, dialect, timezone: config.timezone, autoRegister: config.autoRegister, now, events }, { maxSeatsPerShop: config.maxSeatsPerShop });
  const redis = config.redisUrl ? new Redis(config.redisUrl, { maxRetriesPerRequest: 1, connectTimeout: 2000, lazyConnect: false }) : undefined;
  // ioredis reports every failed reconnect: one line per outage, not one per attempt.
  let redisDown = false;
  redis?.on('error', (e: Error) => {
    if (!redisDown) log.warn({ err: e.message }, 'redis error');
    redisDown = true;
  });
  redis?.on('ready', () => (redisDown = false));
  return {
    config,
    db,
    dialect,
    now,
    log,
    events,
    auth: createAuth({ db, config, now }),
    openApi,
    upstream,
    tokens: {
      db,
      timezone: config.timezone,
      tokenTtlSeconds: config.tokenTtlSeconds,
      refreshTokenTtlSeconds: config.refreshTokenTtlSeconds,
      now,
    },
    vault: store.vault, // observed: decrypt failures are counted
    store,
    metrics,
    redis,
    async close() {
      database.events?.emitter.off('pool-error', onPoolError);
      await store.close();
      if (redis) await redis.quit().catch(() => redis.disconnect());
    },
  };
}
