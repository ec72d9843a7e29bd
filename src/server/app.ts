import { randomUUID, createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import {
  createJsonSchemaTransform,
  hasZodFastifySchemaValidationErrors,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import type { DestinationStream } from 'pino';
import { bearerOf, createAuth } from './auth.ts';
import type { Config } from './config.ts';
import type { DialectName } from './db/index.ts';
import type { Database } from './db/types.ts';
import type { AppDeps } from './deps.ts';
import { registerWidgetCors } from './cors.ts';
import { localRateLimit } from './rate-limit.ts';
import { lazyChildLoggerFactory } from './request-logger.ts';
import { ApiError } from './errors.ts';
import { fastSerializerCompiler } from './serializer.ts';
import { registerMetrics } from './metrics.ts';
import { OPEN_API_PREFIX, WIDGET_API_PREFIX } from './routes/common.ts';
import { healthRoutes } from './routes/health.ts';
import { seatRoutes } from './routes/seats.ts';
import { shopRoutes } from './routes/shop.ts';
import { tokenRoutes } from './routes/tokens.ts';
import { widgetRoutes } from './routes/widget.ts';
import { storeRoutes } from './store/routes.ts';
import { widgetGoodsRoutes } from './store/widget-goods.ts';

export type { AppDeps } from './deps.ts';

declare module 'fastify' {
  interface FastifyInstance {
    deps: AppDeps;
  }
}

const here = dirname(fileURLToPath(import.meta.url));
const projectRoot = resolve(here, '../..');

export interface BuildAppOptions {
  db: Kysely<Database>;
  dialect: DialectName;
  config: Config;
  /** Clock (tests move it). */
  now?: () => Date;
  /** Log destination (tests capture it); default stdout. */
  logStream?: DestinationStream;
  /** Redis key prefix of the rate limiter (instances sharing limits share it). */
  rateLimitNamespace?: string;
  /** Folders served at /widget/ and /demo/ (default `dist/` and `demo/` of the project, when present). */
  staticRoots?: { widget?: string | null; demo?: string | null };
}

/** Log redaction: authorization header, tokens and secrets, wherever they appear in a log object. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'authorization',
  'accessToken',
  'refreshToken',
  'token',
  'secret',
  'apiKey',
  'apiSecret',
  'password',
  'body',
  '*.accessToken',
  '*.refreshToken',
  '*.token',
  '*.secret',
  '*.apiKey',
  '*.apiSecret',
  '*.password',
  '*.clientSecret',
  '*.body',
];

const SENSITIVE_QUERY = /^(code|token|access_?token|refresh_?token|secret|client_?secret|api_?key|api_?secret|state|sign|signature)$/i;

/** Request URL with the values of sensitive query parameters replaced. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const query = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const key = eq < 0 ? pair : pair.slice(0, eq);
      let name = key;
      try {
        name = decodeURIComponent(key);
      } catch {
        /* keep raw */
      }
      return eq >= 0 && SENSITIVE_QUERY.test(name) ? `${key}=[REDACTED]` : pair;
    })
    .join('&');
  return `${url.slice(0, q)}?${query}`;
}

function validationMessage(err: FastifyError & { validation: Array<{ instancePath: string; keyword: string; message?: string }> }): string {
  const v = err.validation[0]!;
  const context = (err as { validationContext?: string }).validationContext ?? 'body';
  const field = v.instancePath.replace(/^\//, '').replace(/\//g, '.') || context;
  let message = v.message ?? 'invalid';
  if (v.keyword === 'invalid_type' && /received undefined/.test(message)) message = 'Required';
  return `${field}: ${message}`;
}

/** Builds the HTTP app. Nothing global: database, config and clock come in through `options`. */
export async function buildApp(options: BuildAppOptions): Promise<FastifyInstance> {
  const { db, dialect, config } = options;
  const now = options.now ?? (() => new Date());

  const app = Fastify({
    logger: {
      level: config.logLevel,
      redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
      serializers: {
        req: (req: FastifyRequest) => ({
          method: req.method,
          url: redactUrl(req.url),
          host: req.host,
          remoteAddress: req.ip,
        }),
      },
      ...(options.logStream ? { stream: options.logStream } : {}),
    },
    bodyLimit: 1024 * 1024,
    trustProxy: config.trustProxy,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[A-Za-z0-9._-]{1,64}$/.test(given) ? given : randomUUID();
    },
    routerOptions: { ignoreTrailingSlash: true },
    // Request loggers are created on first use (request-logger.ts): most requests log nothing.
    childLoggerFactory: lazyChildLoggerFactory,
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  // Responses: zod schema → JSON Schema → fast-json-stringify, compiled once per route (serializer.ts).
  app.setSerializerCompiler(fastSerializerCompiler);
  app.decorateRequest('principal', null as never);
  app.decorateRequest('bearer', undefined);

  app.addHook('onSend', (request, reply, payload, done) => {
    reply.header('x-request-id', request.id);
    done(null, payload);
  });

  app.setErrorHandler((err: FastifyError, request, reply) => {
    let code: number;
    let message: string;
    let data: unknown = null;
    const thrown: unknown = err;
    if (thrown instanceof ApiError) {
      code = thrown.code;
      message = thrown.message;
      data = thrown.data ?? null;
      for (const [k, v] of Object.entries(thrown.headers)) reply.header(k, v);
    } else if (hasZodFastifySchemaValidationErrors(err)) {
      code = 400;
      message = validationMessage(err);
    } else if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      code = 413;
      message = 'body: larger than 1 MB';
    } else if (err instanceof SyntaxError || err.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
      code = 400;
      message = 'body: malformed JSON';
    } else if (err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') {
      code = 400;
      message = 'body: Required (empty JSON body)';
    } else if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      code = 415;
      message = 'content-type: unsupported media type, use application/json';
    } else if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500 && err.code?.startsWith('FST_')) {
      code = err.statusCode;
      message = err.message;
    } else if (err.statusCode === 429) {
      code = 429;
      message = 'rate limit exceeded';
    } else {
      code = 500;
      message = 'Internal Server Error';
    }
    if (code >= 500) {
      request.log.error({ err, reqId: request.id }, 'request failed');
      if (code === 500) data = null;
    } else {
      request.log.info({ code, reason: message }, 'request rejected');
    }
    return reply.code(code).send({ message, code, data });
  });

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0];
    return reply.code(404).send({ message: `Route ${request.method} ${path} not found`, code: 404, data: null });
  });

  // ---- GET /metrics (Prometheus); its request hook comes before every route ----
  registerMetrics(app, { db });

  // ---- rate limits: per IP (global), and per bearer token ----
  const redis = config.redisUrl
    ? new Redis(config.redisUrl, { maxRetriesPerRequest: 1, connectTimeout: 2000, lazyConnect: false })
    : undefined;
  if (redis) {
    redis.on('error', (e) => app.log.warn({ err: e.message }, 'redis error'));
    app.addHook('onClose', async () => {
      await redis.quit().catch(() => redis.disconnect());
    });
  }
  const tooMany = (after: string) => new ApiError(429, `rate limit exceeded, retry in ${after}`);
  await app.register(rateLimit, {
    global: false,
    timeWindow: config.rateLimit.windowMs,
    nameSpace: options.rateLimitNamespace ?? 'shop-chat-rl:',
    skipOnError: true,
    ...(redis ? { redis } : {}),
  });
  // Without Redis, an in-process limiter with the same rule and a fraction of the cost (rate-limit.ts).
  const limiter = (o: { max: number; keyGenerator: (request: FastifyRequest) => string }) =>
    redis
      ? app.createRateLimit({ max: o.max, timeWindow: config.rateLimit.windowMs, keyGenerator: o.keyGenerator })
      : localRateLimit({ max: o.max, timeWindow: config.rateLimit.windowMs, keyGenerator: o.keyGenerator });
  const ipLimiter = limiter({ max: config.rateLimit.perIp, keyGenerator: (request) => `ip:${request.ip}` });
  const tokenLimiter = limiter({
    max: config.rateLimit.perToken,
    // The token's digest (shared with authentication); a malformed header is limited by its own hash.
    keyGenerator: (request) =>
      `tok:${(bearerOf(request)?.digest ?? createHash('sha256').update(request.headers.authorization ?? '').digest()).toString('base64url')}`,
  });
  const UNLIMITED = new Set(['/healthz', '/readyz']);
  const exceeded = (reply: FastifyReply, limit: { isAllowed: boolean; isExceeded?: boolean; ttlInSeconds?: number }) => {
    if (limit.isAllowed || !limit.isExceeded) return;
    reply.header('retry-after', String(limit.ttlInSeconds));
    throw tooMany(`${limit.ttlInSeconds} seconds`);
  };
  // Both limits run before routing hooks (so before authentication): per IP, then per bearer token.
  app.addHook('onRequest', async (request, reply) => {
    const url = request.url;
    const q = url.indexOf('?');
    if (UNLIMITED.has(q < 0 ? url : url.slice(0, q))) return;
    exceeded(reply, await ipLimiter(request));
    if (request.headers.authorization) exceeded(reply, await tokenLimiter(request));
  });

  // ---- CORS: open for the public widget endpoints only (cors.ts) ----
  registerWidgetCors(app, WIDGET_API_PREFIX);

  // ---- OpenAPI ----
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'shop-chat open API',
        description:
          'Shop open API (onboard, binding, seats, tokens), public widget endpoints and store connections. Every JSON response is `{ message, code, data }`; the HTTP status equals `code` for errors.',
        version: '0.1.0',
      },
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } } },
    },
    transform: createJsonSchemaTransform({ skipList: [] }),
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  // ---- routes ----
  const deps: AppDeps = { db, dialect, config, auth: createAuth({ db, config, now }), log: app.log, now };
  // main.ts and the CLI hand the same deps to the refresh sweep.
  app.decorate('deps', deps);
  await app.register(healthRoutes, deps);
  await app.register(shopRoutes, { ...deps, prefix: OPEN_API_PREFIX });
  await app.register(seatRoutes, { ...deps, prefix: OPEN_API_PREFIX });
  await app.register(tokenRoutes, { ...deps, prefix: OPEN_API_PREFIX });
  await app.register(widgetRoutes, { ...deps, prefix: WIDGET_API_PREFIX });

  await app.register(storeRoutes, { ...deps, prefix: `${OPEN_API_PREFIX}/store` });
  await app.register(widgetGoodsRoutes, { ...deps, prefix: WIDGET_API_PREFIX });

  // ---- static: built widget and demo ----
  const widgetRoot = options.staticRoots?.widget === undefined ? resolve(projectRoot, 'dist') : options.staticRoots.widget;
  const demoRoot = options.staticRoots?.demo === undefined ? resolve(projectRoot, 'demo') : options.staticRoots.demo;
  let decorated = false;
  for (const [root, prefix] of [
    [widgetRoot, '/widget/'],
    [demoRoot, '/demo/'],
  ] as const) {
    if (root && existsSync(root)) {
      // index/redirect off: with ignoreTrailingSlash they collide into a 404; the folder route below does both.
      await app.register(fastifyStatic, { root, prefix, decorateReply: !decorated, index: false, redirect: false, wildcard: true });
      decorated = true;
      // `/demo` → `/demo/` (relative links need the slash), `/demo/` → its index.html.
      app.get(prefix, { schema: { hide: true } }, (request, reply) =>
        request.url.split('?')[0]!.endsWith('/') ? reply.sendFile('index.html', root) : reply.redirect(prefix, 301),
      );
    }
  }

  return app;
}
