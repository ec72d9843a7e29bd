// Section 3: the HTTP server under autocannon (100 connections), SQLite and PostgreSQL, against a
// bare Fastify baseline started in the same run with the same process model (plain node, no loader).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { pgbouncerMissing, startPgBouncer } from '../helpers/pg-cluster.ts';
import { QUIET_SERVER_ENV } from '../helpers/server-process.ts';
import { BASELINE_ARGS, fmt, freePort, median, rssOf, serverArgs, startChild, table, type BenchOptions, type Check, type Child } from './lib.ts';

export const ADMIN = 'bench-admin-token-0123456789abcdef';
const PG_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const CONNECTIONS = 100;

/** Environment of a server child: temp database, quiet logs, rate limits out of the way. */
export function serverEnv(databaseUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  return { ...QUIET_SERVER_ENV, DATABASE_URL: databaseUrl, SHOP_CHAT_ADMIN_TOKEN: ADMIN, ...extra };
}

export async function startServer(databaseUrl: string, extra: Record<string, string> = {}): Promise<Child> {
  return startChild(await serverArgs(), serverEnv(databaseUrl, extra), await freePort());
}

export async function api(base: string, method: string, path: string, token: string | null, body?: unknown) {
  const res = await fetch(base + path, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text };
}

/** Onboards `shopUid` and creates an organisation token for it. */
export async function seedShop(base: string, shopUid: string, mobile: string) {
  const ob = await api(base, 'POST', '/api/v1/shop/open/onboard', ADMIN, { mobile, shopUid, shopName: `Shop ${shopUid}`, shopLogo: 'https://example.com/logo.png' });
  if (ob.status !== 200) throw new Error(`onboard failed: ${ob.status} ${ob.text.slice(0, 300)}`);
  const tk = await api(base, 'POST', '/api/v1/shop/open/token/create', ADMIN, { name: 'bench', shopUid, channel: 'WEB', device: 'bench' });
  if (tk.status !== 200) throw new Error(`token/create failed: ${tk.status} ${tk.text.slice(0, 300)}`);
  return { onboard: ob.json.data, token: tk.json.data.accessToken as string, refreshToken: tk.json.data.refreshToken as string, tokenUid: tk.json.data.uid as string };
}

interface Run {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  total: number;
}

function cannon(opts: autocannon.Options): Promise<Run> {
  return new Promise((resolve, reject) => {
    autocannon({ connections: CONNECTIONS, pipelining: 1, ...opts }, (err, r) => {
      if (err) return reject(err);
      resolve({
        rps: r.requests.average,
        p50: r.latency.p50,
        p99: r.latency.p99,
        non2xx: r.non2xx,
        errors: r.errors,
        timeouts: r.timeouts,
        total: r.requests.total,
      });
    });
  });
}

let seq = 0;
const uniq = () => `${process.pid}_${Date.now().toString(36)}_${(seq++).toString(36)}`;

async function scenarios(base: string, duration: number) {
  const shop = `bench_shop_${uniq()}`;
  const { token } = await seedShop(base, shop, '13800000001');
  const auth = { authorization: `Bearer ${token}` };
  return {
    config: () => cannon({ url: `${base}/api/v1/shop/widget/config?shopUid=${shop}`, duration }),
    binding: () => cannon({ url: `${base}/api/v1/shop/open/binding?shopUid=${shop}`, headers: auth, duration }),
    onboard: () => {
      const prefix = uniq();
      let i = 0;
      return cannon({
        url: base,
        duration,
        requests: [
          {
            method: 'POST',
            path: '/api/v1/shop/open/onboard',
            headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
            setupRequest: (req) => {
              const n = i++;
              return {
                ...req,
                body: JSON.stringify({
                  mobile: `139${String(n % 100_000_000).padStart(8, '0')}`,
                  shopUid: `bench_${prefix}_${n}`,
                  shopName: `店铺 ${n}`,
                  shopLogo: 'https://example.com/logo.png',
                }),
              };
            },
          },
        ],
      });
    },
    seats: () =>
      cannon({
        url: `${base}/api/v1/shop/open/agent-seat/query`,
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ shopUid: shop, pageNumber: 0, pageSize: 20 }),
        duration,
      }),
  };
}

type Name = 'baseline' | 'config' | 'binding' | 'onboard' | 'seats';
const NAMES: Name[] = ['baseline', 'config', 'binding', 'onboard', 'seats'];

async function benchDb(label: string, databaseUrl: string, baseline: Child, opts: BenchOptions, env: Record<string, string> = {}) {
  const server = await startServer(databaseUrl, env);
  try {
    const sc = await scenarios(server.url, opts.duration);
    const runs: Record<Name, Run[]> = { baseline: [], config: [], binding: [], onboard: [], seats: [] };
    // Warm-up (JIT, statement caches), not counted.
    await cannon({ url: `${baseline.url}/baseline`, duration: 1 });
    for (const f of [sc.config, sc.binding, sc.seats]) await f().then(() => undefined);
    for (let i = 0; i < opts.runs; i++) {
      // Interleaved, so a noisy neighbour hurts baseline and endpoints alike.
      runs.baseline.push(await cannon({ url: `${baseline.url}/baseline`, duration: opts.duration }));
      runs.config.push(await sc.config());
      runs.binding.push(await sc.binding());
      runs.onboard.push(await sc.onboard());
      runs.seats.push(await sc.seats());
    }
    const rss = rssOf(server.proc.pid!);
    const stats = Object.fromEntries(
      NAMES.map((n) => {
        const r = runs[n];
        return [
          n,
          {
            rps: median(r.map((x) => x.rps)),
            p50: median(r.map((x) => x.p50)),
            p99: median(r.map((x) => x.p99)),
            non2xx: r.reduce((s, x) => s + x.non2xx, 0),
            errors: r.reduce((s, x) => s + x.errors + x.timeouts, 0),
            total: r.reduce((s, x) => s + x.total, 0),
            samples: r,
          },
        ];
      }),
    ) as Record<Name, { rps: number; p50: number; p99: number; non2xx: number; errors: number; total: number; samples: Run[] }>;
    return { label, stats, rssBytes: rss, log: server.log().slice(-2000) };
  } finally {
    await server.stop();
  }
}

export async function createPgDatabase(): Promise<{ url: string; name: string; drop: () => Promise<void> } | null> {
  const name = `shopchat_bench_${process.pid}_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
  } catch (e) {
    console.log(`\n!! PostgreSQL unreachable at ${PG_URL} (${(e as Error).message}): PostgreSQL column skipped`);
    await admin.end().catch(() => undefined);
    return null;
  }
  await admin.end();
  const u = new URL(PG_URL);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    name,
    drop: async () => {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
      await c.end();
    },
  };
}

export async function benchServer(opts: BenchOptions, checks: Check[]) {
  const dir = mkdtempSync(join(tmpdir(), 'shop-chat-bench-'));
  const baseline = await startChild(BASELINE_ARGS, {}, await freePort());
  const results: Awaited<ReturnType<typeof benchDb>>[] = [];
  try {
    results.push(await benchDb('SQLite', `sqlite:${join(dir, 'bench.db')}`, baseline, opts));
    const pgDb = await createPgDatabase();
    if (pgDb) {
      try {
        results.push(await benchDb('PostgreSQL', pgDb.url, baseline, opts));
        // The same database through PgBouncer in transaction mode (SHOP_CHAT_PGBOUNCER: unnamed statements).
        if (pgbouncerMissing()) {
          console.log(`\n!! ${pgbouncerMissing()}: PgBouncer column skipped`);
          if (process.env.CI === 'true') checks.push({ section: 'server', name: 'PgBouncer installed (CI)', value: false, goal: 'installed', ok: false, hard: true });
        } else {
          const bouncer = await startPgBouncer(Number(new URL(pgDb.url).port || 5432));
          try {
            // The read cache's LISTEN connection goes to PostgreSQL itself (PgBouncer's transaction mode has no sessions).
            results.push(await benchDb('PgBouncer', bouncer.url(pgDb.name), baseline, opts, { SHOP_CHAT_PGBOUNCER: 'true', SHOP_CHAT_DB_LISTEN_URL: pgDb.url }));
          } finally {
            await bouncer.stop();
          }
        }
      } finally {
        await pgDb.drop();
      }
    } else if (process.env.CI === 'true') {
      checks.push({ section: 'server', name: 'PostgreSQL reachable (CI)', value: false, goal: 'reachable', ok: false, hard: true });
    }
  } finally {
    await baseline.stop();
    rmSync(dir, { recursive: true, force: true });
  }

  const goals: Record<Name, string> = {
    baseline: '-',
    config: '≥ 0.6× baseline',
    binding: '≥ 0.45× baseline, p99 ≤ 10 ms',
    onboard: '≥ 1,500 req/s',
    seats: '-',
  };
  const head = ['endpoint', 'goal'];
  for (const r of results) head.push(`${r.label} req/s`, '× base', 'p50 ms', 'p99 ms', 'non2xx/err');
  const rows = NAMES.map((n) => {
    const row: (string | number)[] = [n === 'baseline' ? 'baseline (bare Fastify {})' : n, goals[n]];
    for (const r of results) {
      const s = r.stats[n];
      row.push(fmt(s.rps, 0), fmt(s.rps / r.stats.baseline.rps, 2), fmt(s.p50, 1), fmt(s.p99, 1), `${s.non2xx}/${s.errors}`);
    }
    return row;
  });
  const rssRow: (string | number)[] = ['RSS after run (MB)', '≤ 200 MB'];
  for (const r of results) rssRow.push(r.rssBytes ? fmt(r.rssBytes / 1048576, 1) : '-', '', '', '', '');
  rows.push(rssRow);
  table(`3. Server, autocannon ${CONNECTIONS} connections, ${opts.duration} s × ${opts.runs} run(s), median`, head, rows);

  for (const r of results) {
    const s = r.stats;
    const b = s.baseline.rps;
    const L = r.label;
    checks.push(
      { section: 'server', name: `${L} config ≥ 0.6× baseline`, value: Number((s.config.rps / b).toFixed(2)), goal: '≥ 0.6', ok: s.config.rps / b >= 0.6, hard: false },
      { section: 'server', name: `${L} binding ≥ 0.45× baseline`, value: Number((s.binding.rps / b).toFixed(2)), goal: '≥ 0.45', ok: s.binding.rps / b >= 0.45, hard: false },
      { section: 'server', name: `${L} binding p99 ≤ 10 ms`, value: s.binding.p99, goal: '≤ 10 ms', ok: s.binding.p99 <= 10, hard: false },
      { section: 'server', name: `${L} onboard ≥ 1,500 req/s`, value: Math.round(s.onboard.rps), goal: '≥ 1500', ok: s.onboard.rps >= 1500, hard: false },
      { section: 'server', name: `${L} RSS after run ≤ 200 MB`, value: r.rssBytes ? Number((r.rssBytes / 1048576).toFixed(1)) : null, goal: '≤ 200 MB', ok: r.rssBytes !== null && r.rssBytes <= 200 * 1048576, hard: false },
    );
    for (const n of NAMES) {
      const bad = s[n].non2xx + s[n].errors;
      checks.push({ section: 'server', name: `${L} ${n}: zero errors / non-2xx under load`, value: bad, goal: '0', ok: bad === 0 && s[n].total > 0, hard: true, note: s[n].total > 0 ? undefined : 'no requests completed' });
    }
  }
  // PostgreSQL beside SQLite, measured in this run: binding as a ratio to SQLite's, onboard in req/s.
  const sqlite = results.find((r) => r.label === 'SQLite');
  const postgres = results.filter((r) => r.label !== 'SQLite');
  const versus = postgres.map((r) => ({
    label: r.label,
    bindingRatio: sqlite ? Number((r.stats.binding.rps / sqlite.stats.binding.rps).toFixed(2)) : null,
    bindingRps: Math.round(r.stats.binding.rps),
    onboardRps: Math.round(r.stats.onboard.rps),
  }));
  if (versus.length && sqlite) {
    table(
      'PostgreSQL beside SQLite (same run)',
      ['database', 'binding req/s', 'binding × SQLite (goal ≥ 0.6)', 'onboard req/s (goal ≥ 1,000)'],
      [['SQLite', fmt(sqlite.stats.binding.rps, 0), '1.00', fmt(sqlite.stats.onboard.rps, 0)], ...versus.map((v) => [v.label, String(v.bindingRps), String(v.bindingRatio), String(v.onboardRps)])],
    );
    for (const v of versus) {
      checks.push(
        { section: 'server', name: `${v.label} binding ≥ 0.6× SQLite binding`, value: v.bindingRatio, goal: '≥ 0.6', ok: (v.bindingRatio ?? 0) >= 0.6, hard: false },
        { section: 'server', name: `${v.label} onboard ≥ 1,000 req/s`, value: v.onboardRps, goal: '≥ 1000', ok: v.onboardRps >= 1000, hard: false },
      );
    }
  }
  return { connections: CONNECTIONS, results, postgresVersusSqlite: versus };
}
