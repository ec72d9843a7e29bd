// Section 4: 10,000 store connections due for refresh against the local fake Shoplazza: exactly
// 10,000 upstream calls, bounded concurrency, total time (goal ≤ 30 s).
// Drives the sweep's own entry point, `refreshDue` (src/server/store/sweep.ts), as the server's
// background sweep and `npm run admin -- store refresh-due` do; upstream concurrency is measured at
// the HTTP client (a counting fetch handed to the store service). The fake platforms run in a
// child process (fake-platforms-child.ts), as a real platform runs elsewhere: their bookkeeping
// (a log of every request, a scan of the live tokens on each refresh) is not billed to the sweep.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDatabase, migrateToLatest } from '../../src/server/db/index.ts';
import { parseStoreConfig } from '../../src/server/store/config.ts';
import { silentLogger } from '../../src/server/store/log.ts';
import { StoreService } from '../../src/server/store/service.ts';
import { refreshDue } from '../../src/server/store/sweep.ts';
import { fmt, median, table, type BenchOptions, type Check } from './lib.ts';
import { createVault } from '../../src/server/store/vault.ts';
import { insertDueConnections, remoteFakes } from './store-fixture.ts';

const KEY = Buffer.alloc(32, 3).toString('base64');

export async function benchRefresh(opts: BenchOptions, checks: Check[]) {
  const N = Number(process.env.BENCH_REFRESH_N ?? 10_000);
  const CONCURRENCY = Number(process.env.BENCH_REFRESH_CONCURRENCY ?? 32);
  const runs: { ms: number; calls: number; peak: number; outcomes: Record<string, number> }[] = [];
  for (let i = 0; i < opts.runs; i++) {
    const dir = mkdtempSync(join(tmpdir(), 'shop-chat-refresh-'));
    const handle = createDatabase(`sqlite:${join(dir, 'r.db')}`);
    try {
      await migrateToLatest(handle.db);
      const fakes = await remoteFakes();
      try {
        const stores = Array.from({ length: N }, (_, k) => `bench-store-${k}`);
        await insertDueConnections(handle.db, createVault({ secretKey: KEY, nodeEnv: 'test' }), stores, await fakes.seedPairs(stores));
        let inFlight = 0;
        let peak = 0;
        const countingFetch: typeof fetch = async (...args) => {
          peak = Math.max(peak, ++inFlight);
          try {
            return await fetch(...args);
          } finally {
            inFlight--;
          }
        };
        const service = new StoreService({
          db: handle.db,
          config: parseStoreConfig({ ...fakes.env, SHOP_CHAT_SECRET_KEY: KEY }),
          log: silentLogger,
          fetch: countingFetch,
        });
        const t0 = performance.now();
        const p = await refreshDue(service, { concurrency: CONCURRENCY });
        const ms = performance.now() - t0;
        const outcomes: Record<string, number> = {};
        for (const k of ['refreshed', 'failed', 'needsReauth', 'skipped'] as const) if (p[k]) outcomes[k] = p[k];
        runs.push({ ms, calls: await fakes.count('refresh'), peak, outcomes });
        await service.close();
      } finally {
        await fakes.close();
      }
    } finally {
      await handle.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const ms = median(runs.map((r) => r.ms));
  table(
    `4. Refresh fan-out: ${N} due connections, fake Shoplazza, refreshDue at concurrency ${CONCURRENCY} (median of ${runs.length})`,
    ['run', 'total s', 'upstream calls', 'peak in flight', 'outcomes'],
    runs.map((r, i) => [String(i + 1), fmt(r.ms / 1000, 2), r.calls, r.peak, JSON.stringify(r.outcomes)]),
  );
  const exact = runs.every((r) => r.calls === N && (r.outcomes.refreshed ?? 0) === N);
  checks.push(
    { section: 'refresh', name: `exactly ${N} upstream refresh calls, all refreshed`, value: runs.map((r) => r.calls).join(','), goal: String(N), ok: exact, hard: true },
    { section: 'refresh', name: `bounded concurrency ≤ ${CONCURRENCY}`, value: Math.max(...runs.map((r) => r.peak)), goal: `≤ ${CONCURRENCY}`, ok: runs.every((r) => r.peak <= CONCURRENCY && r.peak > 0), hard: true },
    { section: 'refresh', name: `${N} refreshes ≤ 30 s`, value: Number((ms / 1000).toFixed(2)), goal: '≤ 30 s', ok: ms <= 30_000, hard: false },
  );
  return { n: N, concurrency: CONCURRENCY, medianMs: ms, runs };
}
