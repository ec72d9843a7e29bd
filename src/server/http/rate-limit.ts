// Rate limits, before routing and so before authentication: per client IP on every route but the
// health checks, and per bearer token on requests that carry one. `/token/refresh`, whose
// credential is in the body, is limited per refresh token as well, and the failed refreshes of a
// client IP have a budget of their own (guessing refresh tokens was limited only by the IP limit).
// With Redis (REDIS_URL) the counts are shared by every instance (@fastify/rate-limit's Redis
// store); without it, and whenever Redis does not answer, an in-process limiter with the same rule
// (local-rate-limit.ts) counts instead: a Redis outage no longer lets everything through.
import { createHash } from 'node:crypto';
import rateLimit from '@fastify/rate-limit';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Redis } from 'ioredis';
import { bearerOf } from '../auth.ts';
import type { Config } from '../config.ts';
import { ApiError } from '../errors.ts';
import { OPEN_API_PREFIX } from '../routes/common.ts';
import { localRateLimit, type LimitResult } from './local-rate-limit.ts';

export interface RateLimitOptions {
  limits: Config['rateLimit'];
  /** Shared counts (several instances); absent: in-process. */
  redis?: Redis | undefined;
  /** Redis key prefix (instances sharing limits share it). */
  namespace?: string | undefined;
  /** Told about each limit decision made in-process because Redis did not answer (the metrics). */
  onFallback?: (() => void) | undefined;
}

/** Routes never limited (load balancers poll them). */
const UNLIMITED = new Set(['/healthz', '/readyz']);
const REFRESH_ROUTE = `${OPEN_API_PREFIX}/token/refresh`;

type Limiter = (request: FastifyRequest, call?: { increment?: boolean }) => Promise<LimitResult> | LimitResult;

const digestOf = (value: string) => createHash('sha256').update(value).digest('base64url');

export const rateLimitPlugin = fp<RateLimitOptions>(
  async (app, { limits, redis, namespace, onFallback }) => {
    await app.register(rateLimit, {
      global: false,
      timeWindow: limits.windowMs,
      nameSpace: namespace ?? 'shop-chat-rl:',
      // Errors reach us (below), which count in-process instead of letting the request through.
      skipOnError: false,
      ...(redis ? { redis } : {}),
    });
    // Give a Redis that is still connecting a moment (bounded) before the first request is counted.
    if (redis && redis.status !== 'ready') {
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          redis.off('ready', done);
          resolve();
        };
        const timer = setTimeout(done, 2000);
        redis.once('ready', done);
      });
    }
    let warned = false;
    const fallBack = (err: unknown) => {
      onFallback?.();
      if (warned) return;
      warned = true;
      app.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'redis unavailable: rate limits are counted in this process until it answers');
    };
    const limiter = (max: number, keyGenerator: (request: FastifyRequest) => string): Limiter => {
      const local = localRateLimit({ max, timeWindow: limits.windowMs, keyGenerator });
      if (!redis) return local;
      const shared = app.createRateLimit({ max, timeWindow: limits.windowMs, keyGenerator });
      return async (request, call) => {
        // Not connected: no command is queued behind a reconnect (a bounded wait: none).
        if (redis.status !== 'ready') {
          fallBack(new Error(`redis ${redis.status}`));
          return local(request, call);
        }
        try {
          const r = (await shared(request, call)) as LimitResult;
          if (warned) {
            warned = false;
            app.log.info('redis answers again: rate limits are shared again');
          }
          return r;
        } catch (err) {
          fallBack(err);
          return local(request, call);
        }
      };
    };
    const ipLimiter = limiter(limits.perIp, (request) => `ip:${request.ip}`);
    // The token's digest (shared with authentication); a malformed header is limited by its own hash.
    const tokenLimiter = limiter(
      limits.perToken,
      (request) => `tok:${(bearerOf(request)?.digest ?? createHash('sha256').update(request.headers.authorization ?? '').digest()).toString('base64url')}`,
    );
    const refreshLimiter = limiter(limits.perRefreshToken, (request) => `rt:${digestOf(String((request.body as { refreshToken?: unknown }).refreshToken))}`);
    // Read before a refresh (exceeded once the count passes max), counted after a 401: max − 1 lets
    // exactly `refreshFailuresPerIp` failures through.
    const refreshFailures = limiter(limits.refreshFailuresPerIp - 1, (request) => `rtfail:${request.ip}`);

    const exceeded = (reply: FastifyReply, limit: { isAllowed: boolean; isExceeded?: boolean; ttlInSeconds?: number }) => {
      if (limit.isAllowed || !limit.isExceeded) return;
      reply.header('retry-after', String(limit.ttlInSeconds));
      throw new ApiError(429, `rate limit exceeded, retry in ${limit.ttlInSeconds} seconds`);
    };
    app.addHook('onRequest', async (request, reply) => {
      const url = request.url;
      const q = url.indexOf('?');
      if (UNLIMITED.has(q < 0 ? url : url.slice(0, q))) return;
      exceeded(reply, await ipLimiter(request));
      if (request.headers.authorization) exceeded(reply, await tokenLimiter(request));
    });
    // On the refresh route only (no hook on the others): after validation, so the refresh token is
    // known, an IP past its failed refreshes is refused before the lookup, then each refresh token
    // has its own count; a 401 answer counts as a failure of the IP.
    const refreshPreHandler = async (request: FastifyRequest, reply: FastifyReply) => {
      exceeded(reply, await refreshFailures(request, { increment: false }));
      exceeded(reply, await refreshLimiter(request));
    };
    const refreshOnResponse = async (request: FastifyRequest, reply: FastifyReply) => {
      if (reply.statusCode === 401) await refreshFailures(request);
    };
    const list = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
    app.addHook('onRoute', (route) => {
      if (route.url !== REFRESH_ROUTE) return;
      route.preHandler = [...list(route.preHandler), refreshPreHandler] as typeof route.preHandler;
      route.onResponse = [...list(route.onResponse), refreshOnResponse] as typeof route.onResponse;
    });
  },
  { name: 'shop-chat-rate-limit' },
) as FastifyPluginAsync<RateLimitOptions>;
