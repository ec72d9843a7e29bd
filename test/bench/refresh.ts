// Section 4: 10,000 store connections due for refresh against the local fake Shoplazza: exactly
// 10,000 upstream calls, bounded concurrency, total time (goal ≤ 30 s).
// The store module has no `refreshDue` sweep entry point yet (see report); this drives
// TokenManager.refreshNow over every due connection with a bounded worker pool, the way a sweep would.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDatabase, migrateToLatest } from '../../src/server/db/index.ts';
import { fmt, median, table, type BenchOptions, type Check } from './lib.ts';
import { refreshAll, storeFixture } from './store-fixture.ts';

const KEY = Buffer.alloc(32, 3).toString('base64');

export async function benchRefresh(opts: BenchOptions, checks: Check[]) {
  const N = Number(process.env.BENCH_REFRESH_N ?? 10_000);
  const CONCURRENCY = 32;
  const runs: { ms: number; calls: number; peak: number; outcomes: Record<string, number> }[] = [];
  for (let i = 0; i < opts.runs; i++) {
    const dir = mkdtempSync(join(tmpdir(), 'shop-chat-refresh-'));
    const handle = createDatabase(`sqlite:${join(dir, 'r.db')}`);
    try {
      await migrateToLatest(handle.db);
      const f = await storeFixture(handle.db, N, KEY);
      try {
        const t0 = performance.now();
        const { outcomes, peak } = await refreshAll(f, CONCURRENCY);
        const ms = performance.now() - t0;
        runs.push({ ms, calls: f.fake.count('refresh') || [...f.fake.calls.values()].reduce((a, b) => a + b, 0), peak, outcomes });
      } finally {
        await f.close();
      }
    } finally {
      await handle.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const ms = median(runs.map((r) => r.ms));
  table(
    `4. Refresh fan-out: ${N} due connections, fake Shoplazza, concurrency ${CONCURRENCY} (median of ${runs.length})`,
    ['run', 'total s', 'upstream calls', 'peak in flight', 'outcomes'],
    runs.map((r, i) => [String(i + 1), fmt(r.ms / 1000, 2), r.calls, r.peak, JSON.stringify(r.outcomes)]),
  );
  const exact = runs.every((r) => r.calls === N && (r.outcomes.refreshed ?? 0) === N);
  checks.push(
    { section: 'refresh', name: `exactly ${N} upstream refresh calls, all refreshed`, value: runs.map((r) => r.calls).join(','), goal: String(N), ok: exact, hard: true },
    { section: 'refresh', name: `bounded concurrency ≤ ${CONCURRENCY}`, value: Math.max(...runs.map((r) => r.peak)), goal: `≤ ${CONCURRENCY}`, ok: runs.every((r) => r.peak <= CONCURRENCY), hard: true },
    { section: 'refresh', name: `${N} refreshes ≤ 30 s`, value: Number((ms / 1000).toFixed(2)), goal: '≤ 30 s', ok: ms <= 30_000, hard: false },
  );
  return { n: N, concurrency: CONCURRENCY, medianMs: ms, runs };
}
