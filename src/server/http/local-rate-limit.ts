// In-process fixed-window rate limiter, used when no REDIS_URL is set (one instance). Same rule as
// @fastify/rate-limit's local store — a window starts at a key's first request, the request after
// `max` within it is refused, `ttlInSeconds` is what is left of the window — at a fraction of the
// cost: a Map lookup instead of an argument array, an awaited key generator, a Promise around the
// store callback and a result object per limiter per request. With Redis the plugin's limiter
// (shared between instances) is used as before.
import type { FastifyRequest } from 'fastify';

export interface LimitResult {
  isAllowed: boolean;
  isExceeded: boolean;
  ttlInSeconds: number;
}

export interface LocalLimiterOptions {
  max: number;
  timeWindow: number;
  keyGenerator: (request: FastifyRequest) => string;
  /** Keys kept at most (the oldest windows are dropped first); default 5000, as the plugin's store. */
  cache?: number;
  now?: () => number;
}

interface Window {
  count: number;
  resetAt: number;
}

export function localRateLimit(o: LocalLimiterOptions): (request: FastifyRequest, call?: { increment?: boolean }) => LimitResult {
  const windows = new Map<string, Window>();
  const cap = o.cache ?? 5000;
  const now = o.now ?? Date.now;
  const allowed: LimitResult = { isAllowed: false, isExceeded: false, ttlInSeconds: 0 };
  return (request, call) => {
    const key = o.keyGenerator(request);
    const t = now();
    let w = windows.get(key);
    // `increment: false` reads the count (as the plugin's `read`): nothing is created or counted.
    if (call?.increment === false) {
      return w === undefined || w.resetAt <= t || w.count <= o.max ? allowed : { isAllowed: false, isExceeded: true, ttlInSeconds: Math.ceil((w.resetAt - t) / 1000) };
    }
    if (w === undefined || w.resetAt <= t) {
      if (w !== undefined) windows.delete(key);
      else if (windows.size >= cap) windows.delete(windows.keys().next().value!);
      w = { count: 0, resetAt: t + o.timeWindow };
      windows.set(key, w);
    }
    w.count++;
    if (w.count <= o.max) return allowed;
    return { isAllowed: false, isExceeded: true, ttlInSeconds: Math.ceil((w.resetAt - t) / 1000) };
  };
}
