// The HTTP app: Fastify with one plugin per cross-cutting concern (http/) and the route plugins,
// each given the services it needs (compose.ts builds them once).
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import { validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Services } from './compose.ts';
import { fastifyTrustProxy } from './config.ts';
import { widgetCorsPlugin } from './http/cors.ts';
import { errorsPlugin, frameworkErrors } from './http/errors.ts';
import { requestLogPlugin } from './http/logging.ts';
import { metricsPlugin } from './http/metrics.ts';
import { openApiPlugin } from './http/openapi.ts';
import { rateLimitPlugin } from './http/rate-limit.ts';
import { lazyChildLoggerFactory } from './http/request-logger.ts';
import { fastSerializerCompiler } from './http/serializer.ts';
import { staticPlugin } from './http/static.ts';
import { OPEN_API_PREFIX, WIDGET_API_PREFIX } from './routes/common.ts';
import { healthRoutes } from './routes/health.ts';
import { seatRoutes } from './routes/seats.ts';
import { shopRoutes } from './routes/shop.ts';
import { tokenRoutes } from './routes/tokens.ts';
import { widgetRoutes } from './routes/widget.ts';
import { storeRoutes } from './store/routes.ts';
import { widgetGoodsRoutes } from './store/widget-goods.ts';

export type { Services } from './compose.ts';
export { REDACT_PATHS, redactUrl } from './http/logging.ts';

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** The version of the repository (and so of the widget package it builds). */
export const PACKAGE_VERSION: string = JSON.parse(readFileSync(resolve(projectRoot, 'package.json'), 'utf8')).version;

export interface BuildAppOptions {
  /** Redis key prefix of the rate limiter (instances sharing limits share it). */
  rateLimitNamespace?: string;
  /** Folders served at /widget/ and /demo/ (default `dist/` and `demo/` of the project, when present). */
  staticRoots?: { widget?: string | null; demo?: string | null };
}

/** Builds the HTTP app on `services`; closing the app closes them (not the database handle, the caller's). */
export async function buildApp(services: Services, options: BuildAppOptions = {}): Promise<FastifyInstance> {
  const { config, auth, openApi } = services;
  const app = Fastify({
    loggerInstance: services.log,
    bodyLimit: 1024 * 1024,
    trustProxy: fastifyTrustProxy(config.trustProxy),
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[A-Za-z0-9._-]{1,64}$/.test(given) ? given : randomUUID();
    },
    routerOptions: { ignoreTrailingSlash: true },
    frameworkErrors,
    // Bounded waits for clients too: a slow body, headers that never end, an idle keep-alive or
    // silent socket each hold a file descriptor and memory until closed.
    requestTimeout: config.http.requestTimeoutMs,
    keepAliveTimeout: config.http.keepAliveTimeoutMs,
    connectionTimeout: config.http.idleTimeoutMs,
    // Node checks the headers and request timeouts of open connections every
    // connectionsCheckingInterval (30 s by default, so a 10 s timeout could take 40 s).
    http: { headersTimeout: config.http.headersTimeoutMs, connectionsCheckingInterval: Math.min(1000, config.http.headersTimeoutMs) },
    // Request loggers are created on first use (request-logger.ts): most requests log nothing
    // below info, and one line at info (requestLogPlugin) instead of Fastify's two.
    childLoggerFactory: lazyChildLoggerFactory,
    logController: new LogController({ disableRequestLogging: true }),
  }).withTypeProvider<ZodTypeProvider>();
  app.addHook('onClose', () => services.close());

  app.setValidatorCompiler(validatorCompiler);
  // Responses: zod schema → JSON Schema → fast-json-stringify, compiled once per route (serializer.ts).
  app.setSerializerCompiler(fastSerializerCompiler);
  app.decorateRequest('principal', null as never);
  app.decorateRequest('bearer', undefined);

  // Cross-cutting concerns, in the order their hooks must run: metrics see every answer, rate
  // limits come before authentication.
  await app.register(requestLogPlugin);
  await app.register(errorsPlugin);
  await app.register(metricsPlugin, { metrics: services.metrics });
  await app.register(rateLimitPlugin, {
    limits: config.rateLimit,
    redis: services.redis,
    namespace: options.rateLimitNamespace,
    onFallback: () => services.metrics.rateLimitFallback.inc(),
  });
  await app.register(widgetCorsPlugin, { prefix: WIDGET_API_PREFIX });
  await app.register(openApiPlugin, { docs: config.docs, publicUrl: config.store.SHOP_CHAT_PUBLIC_URL, version: PACKAGE_VERSION });

  // Routes, by resource.
  await app.register(healthRoutes, { db: services.db, upstreamCredential: services.upstream?.credential });
  await app.register(shopRoutes, { prefix: OPEN_API_PREFIX, auth, openApi });
  await app.register(seatRoutes, { prefix: OPEN_API_PREFIX, auth, openApi });
  await app.register(tokenRoutes, { prefix: OPEN_API_PREFIX, auth, openApi, tokens: services.tokens });
  await app.register(storeRoutes, { prefix: `${OPEN_API_PREFIX}/store`, auth, openApi, store: services.store });
  await app.register(widgetRoutes, { prefix: WIDGET_API_PREFIX, config, openApi, events: services.events });
  await app.register(widgetGoodsRoutes, { prefix: WIDGET_API_PREFIX, openApi, store: services.store });

  const roots = options.staticRoots ?? {};
  await app.register(staticPlugin, {
    widget: roots.widget === undefined ? resolve(projectRoot, 'dist') : roots.widget,
    // The demo pages (and their demo shop) are for development; production serves them on request only.
    demo: !config.demoPages ? null : roots.demo === undefined ? resolve(projectRoot, 'demo') : roots.demo,
    version: PACKAGE_VERSION,
    production: config.nodeEnv === 'production',
    docs: config.docs,
  });
  return app;
}
