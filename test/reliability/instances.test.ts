// Several instances for real: three server processes on one PostgreSQL (a private cluster) through
// PgBouncer in transaction mode, sharing Redis for the rate limits, under mixed load; one is
// SIGKILLed mid-way. Checked: the other two keep answering (0 × 500, no lost connection), every
// acknowledged write is there, a rename through one is seen by the others at once (each keeps an
// exact read cache, LISTEN/NOTIFY), the Redis rate limit is one count across all three, and due
// store connections refreshed by all three at once are each refreshed exactly once.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { spawn } from 'node:child_process';
import pg from 'pg';
import { createVault } from '../../src/server/store/vault.ts';
import { ROOT } from '../bench/lib.ts';
import { insertDueConnections } from '../bench/store-fixture.ts';
import { fakeStoreEnv, startFakes } from '../fakes/platforms.ts';
import { ADMIN, runLoad, sleep, startServer, statusCounts, type ServerProcess } from '../helpers/load.ts';
import { pgClusterMissing, pgbouncerMissing, startPgBouncer, startPgCluster, type PgBouncer, type PgCluster } from '../helpers/pg-cluster.ts';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const DB = 'instances';
const missing = pgClusterMissing() ?? pgbouncerMissing();
const IP_LIMIT = 50;
const SECRET_KEY = Buffer.alloc(32, 7).toString('base64'); // the servers' (test/helpers/load.ts)

async function redisAnswers(): Promise<boolean> {
  const { Redis } = await import('ioredis');
  const r = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 1000, retryStrategy: () => null });
  try {
    await r.connect();
    return (await r.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    r.disconnect();
  }
}

describe('three instances on PostgreSQL through PgBouncer and Redis', { skip: missing && process.env.CI !== 'true' ? missing : false }, () => {
  let cluster: PgCluster;
  let bouncer: PgBouncer;
  let servers: ServerProcess[] = [];
  let live: ServerProcess[] = [];

  before(async () => {
    assert.ok(await redisAnswers(), `Redis answers at ${REDIS_URL}`);
    cluster = await startPgCluster();
    await cluster.createDatabase(DB);
    bouncer = await startPgBouncer(cluster.port);
    const env = {
      DATABASE_URL: bouncer.url(DB),
      SHOP_CHAT_PGBOUNCER: 'true',
      // LISTEN needs a session: PostgreSQL itself.
      SHOP_CHAT_DB_LISTEN_URL: cluster.url(DB),
      REDIS_URL,
      // The test is the load balancer on loopback, with a 10.x hop before it (SHOP_CHAT_TRUST_PROXY refuses true).
      SHOP_CHAT_TRUST_PROXY: 'loopback,10.0.0.0/8',
      SHOP_CHAT_RATE_LIMIT_IP: String(IP_LIMIT),
      SHOP_CHAT_RATE_LIMIT: '100000000',
    };
    // The first one migrates; the others find the schema in place.
    servers.push(await startServer(env));
    servers.push(...(await Promise.all([startServer(env), startServer(env)])));
    live = [...servers];
  });

  after(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    await bouncer?.stop();
    await cluster?.destroy();
  });

  // Every load request comes from its own client address (the per-IP limit stays out of the way).
  const someClient = () => ({ 'x-forwarded-for': `198.51.100.${Math.floor(Math.random() * 250) + 1}, 10.${randomBytes(3).join('.')}` });

  test('mixed load on all three, one SIGKILLed mid-way: the others answer, nothing acknowledged is lost', async () => {
    const killed = servers[0]!;
    const killAt = sleep(2500).then(() => {
      live = live.filter((s) => s !== killed);
      killed.child.kill('SIGKILL');
    });
    const load = await runLoad({ bases: () => live.map((s) => s.base), durationMs: 6000, concurrency: 9, prefix: `multi${Date.now().toString(36)}`, headers: someClient });
    await killAt;
    assert.equal(await killed.exited, 'SIGKILL');
    const survivors = load.answers.filter((a) => a.base !== killed.base);
    const counts = statusCounts(survivors);
    const after = survivors.filter((a) => a.at > 2600);
    console.log(`# three instances, one killed at 2.5 s: survivors ${JSON.stringify(counts)}, ${after.length} answers after the kill`);
    assert.deepEqual(Object.keys(counts), ['200'], 'the survivors answered everything with 200');
    assert.ok(after.length > 10, 'and kept answering after the kill');
    for (const s of live) assert.equal(s.child.exitCode, null);

    const c = new pg.Client({ connectionString: cluster.url(DB) });
    await c.connect();
    try {
      const { rows } = await c.query<{ shop_uid: string }>('select shop_uid from shops where shop_uid = any($1)', [load.acknowledged]);
      const lost = load.acknowledged.length - rows.length;
      assert.ok(load.acknowledged.length > 20, `writes acknowledged: ${load.acknowledged.length}`);
      assert.equal(lost, 0, `${lost} acknowledged onboards lost`);
    } finally {
      await c.end();
    }
  });

  const call = async (s: ServerProcess, method: string, path: string, body?: unknown, headers: Record<string, string> = someClient()) => {
    const res = await fetch(s.base + path, {
      method,
      headers: { authorization: `Bearer ${ADMIN}`, ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, json: (await res.json()) as { data: any } };
  };

  test('a rename through one instance is seen by the others on their next request', async () => {
    const [a, b] = live as [ServerProcess, ServerProcess];
    const shopUid = `rename_${Date.now().toString(36)}`;
    assert.equal((await call(a, 'POST', '/api/v1/shop/open/onboard', { mobile: '13700000001', shopUid, shopName: 'Before' })).status, 200);
    for (const s of live) for (let i = 0; i < 3; i++) assert.equal((await call(s, 'GET', `/api/v1/shop/open/binding?shopUid=${shopUid}`)).json.data.shop.name, 'Before');
    for (let round = 0; round < 5; round++) {
      const [writer, reader] = round % 2 === 0 ? [a, b] : [b, a];
      const name = `After ${round}`;
      assert.equal((await call(writer, 'POST', '/api/v1/shop/open/update', { shopUid, shopName: name })).status, 200);
      assert.equal((await call(reader, 'GET', `/api/v1/shop/open/binding?shopUid=${shopUid}`)).json.data.shop.name, name, `round ${round}`);
    }
  });

  test('due store connections refreshed from three instances at once: each exactly once', async () => {
    const fakes = await startFakes();
    try {
      const { createDatabase } = await import('../../src/server/db/index.ts');
      const handle = createDatabase(cluster.url(DB));
      const vault = createVault({ secretKey: SECRET_KEY, nodeEnv: 'test' });
      const stores = Array.from({ length: 30 }, (_, i) => `multi-store-${Date.now().toString(36)}-${i}`);
      await insertDueConnections(handle.db, vault, stores, stores.map((st) => fakes.shoplazza.seedPair(st)));
      await handle.close();
      fakes.shoplazza.resetCounts();
      fakes.shoplazza.delay('refresh', 20);
      // The sweep's own pass (`npm run admin -- store refresh-due`), one per instance, started together.
      const env = {
        ...process.env,
        ...fakeStoreEnv(fakes),
        DATABASE_URL: bouncer.url(DB),
        SHOP_CHAT_PGBOUNCER: 'true',
        // A batch job on a busy machine: a statement given up on after the platform answered would
        // fail that refresh, and the next pass would refresh again.
        SHOP_CHAT_DB_STATEMENT_TIMEOUT_MS: '10000',
        SHOP_CHAT_SECRET_KEY: SECRET_KEY,
        NODE_ENV: 'test',
        LOG_LEVEL: 'warn',
      };
      const passes = await Promise.all(
        [0, 1, 2].map(
          () =>
            new Promise<{ code: number | null; out: string }>((resolve) => {
              const child = spawn(process.execPath, ['--import', 'tsx', 'src/server/cli.ts', 'store', 'refresh-due', '--concurrency', '8'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
              let out = '';
              child.stdout.on('data', (d) => (out += d));
              child.stderr.on('data', (d) => (out += d));
              child.once('exit', (code) => resolve({ code, out }));
            }),
        ),
      );
      // On a busy machine a pass may give up with a 503-class error (a statement past its timeout);
      // the others still refresh what it left, and nothing is refreshed twice.
      assert.ok(passes.some((p) => p.code === 0), passes.map((p) => p.out).join('\n'));
      for (const p of passes) if (p.code !== 0) assert.match(p.out, /database|Connection terminated|timeout/i, p.out);
      assert.equal(fakes.shoplazza.count('refresh'), stores.length, 'one platform refresh per due connection across the three');
    } finally {
      await fakes.close();
    }
  });

  test('the per-IP rate limit is one count in Redis across the instances', async () => {
    const client = { 'x-forwarded-for': `203.0.113.${Math.floor(Math.random() * 250) + 1}` };
    const statuses: number[] = [];
    for (let i = 0; i < IP_LIMIT + 30; i++) {
      const s = live[i % live.length]!;
      statuses.push((await fetch(`${s.base}/api/v1/shop/open/binding?shopUid=none`, { headers: { authorization: `Bearer ${ADMIN}`, ...client } })).status);
    }
    const limited = statuses.filter((s) => s === 429).length;
    assert.equal(statuses.length - limited, IP_LIMIT, `${IP_LIMIT} answered across ${live.length} instances, the rest 429 (got ${limited} × 429)`);
  });
});
