// GET /metrics in the Prometheus text format (prom-client), one Registry per set of services (no
// global state):
//   shop_chat_http_requests_total{method,route,status}
//   shop_chat_http_request_duration_seconds{method,route}   histogram
//   shop_chat_store_token_refresh_total{platform,outcome}   one per upstream refresh call
//   shop_chat_store_vault_errors_total{operation}            encrypt/decrypt failures of the token vault
//   shop_chat_rate_limit_fallback_total                      limit decisions made in-process: Redis did not answer
//   shop_chat_db_pool_errors_total                           errors of pooled database connections (survived)
//   shop_chat_webhook_deliveries_total{outcome}              webhook attempts: delivered, failed (retried), given_up
//   shop_chat_webhook_outbox_rows{state}                     rows of the webhook outbox: pending, given_up (all instances)
//   plus prom-client's default process and Node.js metrics.
// The route label is the route pattern (`/api/v1/shop/open/store/callback/:platform`), never the raw
// URL, so no token, id or query string ends up in a label.
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { StoreObserver } from '../store/service.ts';
import type { WebhookObserver } from '../store/webhook.ts';

export const METRICS_PATH = '/metrics';
/** Route label of requests no route matched (404s), so unknown URLs cannot grow the label set. */
export const UNMATCHED_ROUTE = '(unmatched)';

export interface Metrics {
  registry: Registry;
  requests: Counter<'method' | 'route' | 'status'>;
  duration: Histogram<'method' | 'route'>;
  /** Rate-limit decisions made in-process because Redis did not answer. */
  rateLimitFallback: Counter;
  /** Handed to the store service: refresh outcomes and vault errors. */
  store: StoreObserver;
  /** Handed to the webhook sender: the outcome of every attempt. */
  webhook: WebhookObserver;
}

/** The registry and its metrics; `defaultMetrics: false` leaves out prom-client's process metrics. */
export function createMetrics(
  options: {
    defaultMetrics?: boolean;
    /** Errors of pooled database connections so far. */
    poolErrors?: () => number;
    /** Rows of the webhook outbox (read at each scrape). */
    webhookOutbox?: () => Promise<{ pending: number; givenUp: number }>;
  } = {},
): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: 'shop_chat_http_requests_total',
    help: 'HTTP requests answered, by method, route pattern and status code.',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'shop_chat_http_request_duration_seconds',
    help: 'HTTP request duration in seconds, by method and route pattern.',
    labelNames: ['method', 'route'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const refreshes = new Counter({
    name: 'shop_chat_store_token_refresh_total',
    help: 'Upstream store-platform token refresh calls, by platform and outcome (success, transient_failure, permanent_failure).',
    labelNames: ['platform', 'outcome'] as const,
    registers: [registry],
  });
  const vaultErrors = new Counter({
    name: 'shop_chat_store_vault_errors_total',
    help: 'Token vault failures (a ciphertext that does not decrypt or authenticate, an unknown key id), by operation.',
    labelNames: ['operation'] as const,
    registers: [registry],
  });
  const rateLimitFallback = new Counter({
    name: 'shop_chat_rate_limit_fallback_total',
    help: 'Rate-limit decisions made by the in-process limiter because Redis (REDIS_URL) did not answer.',
    registers: [registry],
  });
  new Counter({
    name: 'shop_chat_db_pool_errors_total',
    help: 'Errors of pooled database connections (terminated backend, restart, idle kill by a proxy); each is survived.',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(options.poolErrors?.() ?? 0);
    },
  });
  const webhookDeliveries = new Counter({
    name: 'shop_chat_webhook_deliveries_total',
    help: 'Webhook attempts of this instance, by outcome: delivered, failed (each failed attempt; retried), given_up (after the last attempt).',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  new Gauge({
    name: 'shop_chat_webhook_outbox_rows',
    help: 'Rows of the webhook outbox, of every instance: pending (still to send) and given_up (after the last attempt).',
    labelNames: ['state'] as const,
    registers: [registry],
    async collect() {
      // A scrape answers while the database is out; the gauge then keeps its last values.
      const c = await options.webhookOutbox?.().catch(() => undefined);
      if (!c) return;
      this.set({ state: 'pending' }, c.pending);
      this.set({ state: 'given_up' }, c.givenUp);
    },
  });
  // Present from the first scrape, so rate() and alerts work before the first error.
  vaultErrors.inc({ operation: 'decrypt' }, 0);
  for (const outcome of ['delivered', 'failed', 'given_up']) webhookDeliveries.inc({ outcome }, 0);
  return {
    registry,
    requests,
    duration,
    rateLimitFallback,
    store: {
      refresh: (platform, outcome) => refreshes.inc({ platform, outcome }),
      vaultError: (operation) => vaultErrors.inc({ operation }),
    },
    webhook: {
      delivery: (outcome) => webhookDeliveries.inc({ outcome }),
    },
  };
}

/** The request hook (every route, so registered at the root) and `GET /metrics`. */
export const metricsPlugin = fp<{ metrics: Metrics }>(
  async (app, { metrics }) => {
    const { registry, requests, duration } = metrics;
    app.addHook('onResponse', async (request, reply) => {
      const route = request.routeOptions.url ?? UNMATCHED_ROUTE;
      const method = request.method;
      requests.inc({ method, route, status: String(reply.statusCode) });
      duration.observe({ method, route }, reply.elapsedTime / 1000);
    });
    app.get(METRICS_PATH, { schema: { hide: true } }, async (_request, reply) => {
      reply.header('content-type', registry.contentType);
      reply.header('cache-control', 'no-store');
      return registry.metrics();
    });
  },
  { name: 'shop-chat-metrics' },
) as FastifyPluginAsync<{ metrics: Metrics }>;
