// Rate limits, before routing and so before authentication: per client IP on every route but the
// health checks, and per bearer token on requests that carry one. With Redis (REDIS_URL) the counts
// are shared by every instance (@fastify/rate-limit's Redis store); without it an in-process
// limiter with the same rule (local-rate-limit.ts).
import { createHash } from 'node:crypto';
import rateLimit from '@fastify/rate-limit';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Redis } from 'ioredis';
import { bearerOf } from '../auth.ts';
import type { Config } from '../config.ts';
import { ApiError } from '../errors.ts';
import { localRateLimit } from './local-rate-limit.ts';

export interface RateLimitOptions {
  limits: Config['rateLimit'];
  /** Shared counts (several instances); absent: in-process. */
  redis?: Redis | undefined;
  /** Redis key prefix (instances sharing limits share it). */
  namespace?: string | undefined;
}

/** Routes never limited (load balancers poll them). */
const UNLIMITED = new Set(['/healthz', '/readyz']);

export const rateLimitPlugin = fp<RateLimitOptions>(
  async (app, { limits, redis, namespace }) => {
    await app.register(rateLimit, {
      global: false,
      timeWindow: limits.windowMs,
      nameSpace: namespace ?? 'shop-chat-rl:',
      skipOnError: true,
      ...(redis ? { redis } : {}),
    });
    const limiter = (o: { max: number; keyGenerator: (request: FastifyRequest) => string }) =>
      redis
        ? app.createRateLimit({ max: o.max, timeWindow: limits.windowMs, keyGenerator: o.keyGenerator })
        : localRateLimit({ max: o.max, timeWindow: limits.windowMs, keyGenerator: o.keyGenerator });
    const ipLimiter = limiter({ max: limits.perIp, keyGenerator: (request) => `ip:${request.ip}` });
    const tokenLimiter = limiter({
      max: limits.perToken,
      // The token's digest (shared with authentication); a malformed header is limited by its own hash.
      keyGenerator: (request) =>
        `tok:${(bearerOf(request)?.digest ?? createHash('sha256').update(request.headers.authorization ?? '').digest()).toString('base64url')}`,
    });
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
  },
  { name: 'shop-chat-rate-limit' },
) as FastifyPluginAsync<RateLimitOptions>;
