// Background refresh: everything that expires within 7 days (seed 001's advice) is refreshed at
// bounded concurrency, at an interval with jitter. `refreshDue` runs one pass (the CLI's
// `npm run admin -- store refresh-due`); `startRefreshSweep` runs it periodically in the server.
import type { StorePlatform } from '../../shared/store/api.ts';
import type { StoreLogger } from './log.ts';
import { databasePause } from './pause.ts';
import type { RefreshOutcome } from './refresh.ts';
import { normalizeRow } from './repo.ts';
import type { StoreService } from './service.ts';

export const SWEEP_WINDOW_MS = 7 * 24 * 3_600_000;
/** A connection refreshed less than this long ago is left alone by the sweep (unless it needs it). */
export const SWEEP_MIN_AGE_MS = 24 * 3_600_000;
/**
 * Refreshes in flight at once in a pass. A refresh is three short statements around one upstream
 * call, so the pass is bound by the platforms' latency: 16 in flight refresh 10,000 connections
 * against a 100 ms platform in about a minute, while keeping the burst on any one platform small.
 */
export const SWEEP_CONCURRENCY = 16;
/** While the database is unreachable, the sweep tries again this often (instead of its interval). */
export const SWEEP_PAUSED_RETRY_MS = 5_000;

export interface RefreshDueProgress {
  total: number;
  done: number;
  refreshed: number;
  failed: number;
  needsReauth: number;
  skipped: number;
  last?: RefreshOutcome;
}

export interface RefreshDueOptions {
  onProgress?: (p: RefreshDueProgress) => void;
  concurrency?: number;
  windowMs?: number;
  minAgeMs?: number;
}

/** Connections the sweep should refresh now, each with the version it was found due at. */
export async function dueConnections(service: StoreService, windowMs = SWEEP_WINDOW_MS, minAgeMs = SWEEP_MIN_AGE_MS): Promise<Array<{ id: string; version: number }>> {
  const now = service.now();
  const horizon = now + windowMs;
  const rows = await service.db
    .selectFrom('store_connection')
    .selectAll()
    .where('status', '=', 'AUTHORIZED')
    .where((eb) => eb.or([eb('next_attempt_at', 'is', null), eb('next_attempt_at', '<=', now)]))
    .where((eb) =>
      eb.or([eb('expires_at', 'is', null), eb('expires_at', '<=', horizon), eb('refresh_expires_at', '<=', horizon)]),
    )
    .execute();
  return rows
    .map(normalizeRow)
    .filter((r) => {
      if (!service.manager.canRefresh(r)) return false;
      if (r.expires_at === null) return true; // unknown expiry: refresh soon
      const margin = service.adapters[r.platform as StorePlatform].refreshMarginMs;
      if (r.expires_at - now <= margin) return true; // needs it anyway
      return (r.last_refresh_at ?? 0) <= now - minAgeMs; // keep the pair (and its refresh token) rolling, daily at most
    })
    .map((r) => ({ id: r.id, version: r.version }));
}

/** One pass: refreshes every due connection, `concurrency` at a time. Exported for the CLI. */
export async function refreshDue(service: StoreService, options: RefreshDueOptions = {}): Promise<RefreshDueProgress> {
  // With the version each was due at: a connection another instance's pass refreshed meanwhile is
  // skipped, not refreshed a second time.
  const ids = await dueConnections(service, options.windowMs, options.minAgeMs);
  const p: RefreshDueProgress = { total: ids.length, done: 0, refreshed: 0, failed: 0, needsReauth: 0, skipped: 0 };
  options.onProgress?.({ ...p });
  let next = 0;
  const worker = async () => {
    while (next < ids.length) {
      const { id, version } = ids[next++]!;
      const r = await service.manager.refreshNow(id, version);
      p.done++;
      if (r.result === 'refreshed') p.refreshed++;
      else if (r.result === 'needs_reauth') p.needsReauth++;
      else if (r.result === 'failed') p.failed++;
      else p.skipped++;
      options.onProgress?.({ ...p, last: r });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency ?? SWEEP_CONCURRENCY, ids.length || 1)) }, worker));
  await service.pruneStates().catch(() => 0);
  return p;
}

/**
 * Starts the periodic sweep (first pass after a short random delay, then every
 * SHOP_CHAT_REFRESH_SWEEP_INTERVAL seconds ±10 %). A pass that finds the database unreachable
 * pauses the sweep (one warning) and it tries again every SWEEP_PAUSED_RETRY_MS until it is back.
 * A no-op when SHOP_CHAT_REFRESH_SWEEP=off.
 */
export function startRefreshSweep(
  service: StoreService,
  opts: { firstDelayMs?: number; intervalMs?: number; pausedRetryMs?: number } = {},
): { stop(): Promise<void> } {
  const log: StoreLogger = service.log;
  if (service.config.SHOP_CHAT_REFRESH_SWEEP === 'off') {
    log.info({}, 'store refresh sweep disabled (SHOP_CHAT_REFRESH_SWEEP=off)');
    return { stop: async () => {} };
  }
  const interval = opts.intervalMs ?? service.config.SHOP_CHAT_REFRESH_SWEEP_INTERVAL * 1000;
  const pausedRetryMs = opts.pausedRetryMs ?? SWEEP_PAUSED_RETRY_MS;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  let stopped = false;
  const pause = databasePause(log, 'store refresh sweep');
  const schedule = (ms: number) => {
    if (stopped) return;
    timer = setTimeout(run, ms);
    timer.unref?.();
  };
  const run = () => {
    let next = interval * (0.9 + Math.random() * 0.2);
    running = refreshDue(service)
      .then((p) => {
        pause.reached();
        if (p.total) log.info({ ...p, last: undefined }, 'store refresh sweep done');
      })
      .catch((err) => {
        // The database is out: try again soon rather than a whole interval later; whatever the
        // pass did not reach stays due, and a refresh is a CAS, so nothing is done twice.
        if (pause.failed(err)) next = Math.min(next, pausedRetryMs);
        else log.error({ error: (err as Error).message }, 'store refresh sweep failed');
      })
      .finally(() => {
        running = undefined;
        schedule(next);
      });
  };
  schedule(opts.firstDelayMs ?? 5_000 + Math.random() * 25_000);
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
