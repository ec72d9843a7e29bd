// Crash during store-token refresh: a refresh pass (`npm run admin -- store refresh-due`, the
// sweep's own code) over due connections against the fake Shoplazza is killed with SIGKILL at a
// random moment, five rounds. The platform rotates both tokens on every refresh, so a torn write
// would strand a connection: every stored pair must be, whole, either the pair it had (seeded) or
// one pair the platform issued for that store — never an access token of one pair with the refresh
// token of another — and the database must pass PRAGMA integrity_check.
//
// The fake platform runs in this process behind a recording proxy, so the pairs it issued are known
// even when the killed process never saw the response.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { createDatabase, migrateToLatest } from '../../src/server/db/index.ts';
import { aad } from '../../src/server/store/repo.ts';
import { createVault } from '../../src/server/store/vault.ts';
import { ROOT } from '../bench/lib.ts';
import { insertDueConnections } from '../bench/store-fixture.ts';
import { fakeStoreEnv, startFakes } from '../fakes/platforms.ts';
import { RUN_DIR, SECRET_KEY, recordSecret, testEnv } from './helpers.ts';

const ROUNDS = 5;
const CONNECTIONS = 120;
const CONCURRENCY = 8;

interface Pair {
  accessToken: string;
  refreshToken: string;
}

/** A proxy in front of the fake platform that records every token pair the platform answers with. */
async function recordingProxy(target: string, onPair: (store: string, pair: Pair) => void): Promise<{ url: string; close(): Promise<void> }> {
  const t = new URL(target);
  const server: Server = createServer((req, res) => {
    const up = httpRequest({ host: t.hostname, port: t.port, path: req.url, method: req.method, headers: req.headers }, (upRes) => {
      const chunks: Buffer[] = [];
      upRes.on('data', (c: Buffer) => chunks.push(c));
      upRes.on('end', () => {
        const body = Buffer.concat(chunks);
        const store = /^\/stores\/([^/]+)\/admin\/oauth\/token/.exec(req.url ?? '')?.[1];
        if (store && upRes.statusCode === 200) {
          const j = JSON.parse(body.toString('utf8')) as { access_token: string; refresh_token: string };
          onPair(store, { accessToken: j.access_token, refreshToken: j.refresh_token });
        }
        if (!res.destroyed) {
          res.writeHead(upRes.statusCode ?? 502, upRes.headers);
          res.end(body);
        }
      });
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

test(`SIGKILL during store-token refresh, ${ROUNDS} rounds: every stored pair is the old or an issued one, whole`, { timeout: 5 * 60_000 }, async () => {
  const fakes = await startFakes();
  const issued = new Map<string, Pair[]>(); // store → pairs the platform issued (seeded one first)
  let answered = 0;
  const proxy = await recordingProxy(fakes.shoplazza.url, (store, pair) => {
    answered++;
    recordSecret('platformAccess', pair.accessToken);
    recordSecret('platformRefresh', pair.refreshToken);
    issued.get(store)?.push(pair);
  });
  // Every refresh answers after a while: kills land with calls in flight, before and after the
  // platform has rotated the pair.
  fakes.shoplazza.delay('refresh', 15);
  const env = { ...fakeStoreEnv(fakes), SHOPLAZZA_URL_TEMPLATE: `${proxy.url}/stores/{store}` };
  const vault = createVault({ secretKey: SECRET_KEY, nodeEnv: 'test' });
  const logFile = join(RUN_DIR, 'logs', `crash-refresh-${process.pid}.log`);
  let refreshedBeforeKill = 0;
  let untouched = 0;
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const dir = mkdtempSync(join(RUN_DIR, 'db', 'crash-refresh-'));
      const dbFile = join(dir, 'shop-chat.db');
      const handle = createDatabase(`sqlite:${dbFile}`);
      await migrateToLatest(handle.db);
      const stores = Array.from({ length: CONNECTIONS }, (_, i) => `crash-r${round}-s${i}`);
      const seeded = stores.map((s) => fakes.shoplazza.seedPair(s));
      stores.forEach((s, i) => {
        issued.set(s, [seeded[i]!]);
        recordSecret('platformAccess', seeded[i]!.accessToken);
        recordSecret('platformRefresh', seeded[i]!.refreshToken);
      });
      const { ids } = await insertDueConnections(handle.db, vault, stores, seeded);
      await handle.close();

      // One refresh pass in a child process, killed once a random share of the refreshes was answered.
      const start = answered;
      const killAfter = 1 + Math.floor(Math.random() * (CONNECTIONS * 0.8));
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/server/cli.ts', 'store', 'refresh-due', '--concurrency', String(CONCURRENCY)], {
        cwd: ROOT,
        env: { ...process.env, ...testEnv(`sqlite:${dbFile}`, env) },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (out += d));
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      let done = false;
      void exited.then(() => (done = true));
      const deadline = Date.now() + 60_000;
      while (!done && answered - start < killAfter && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
      // A random moment after that point, so the kill also lands between the answer and the write.
      await new Promise((r) => setTimeout(r, Math.random() * 20));
      const killed = !done;
      child.kill('SIGKILL');
      await exited;
      appendFileSync(logFile, `--- round ${round} (${killed ? 'killed' : 'finished before the kill'})\n${out}\n`);
      assert.ok(killed, `round ${round}: the pass finished before the kill (${answered - start} answers); output:\n${out.slice(-2000)}`);

      // What the killed process left: each row's pair decrypts and is the seeded pair or an issued one, whole.
      const db = new Database(dbFile, { readonly: true });
      try {
        assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
        const rows = db.prepare('select id, seller_id, access_token_enc, refresh_token_enc, status, version from store_connection').all() as {
          id: string;
          seller_id: string;
          access_token_enc: string;
          refresh_token_enc: string;
          status: string;
          version: number;
        }[];
        assert.equal(rows.length, CONNECTIONS);
        assert.deepEqual(rows.map((r) => r.id).sort(), [...ids].sort());
        for (const r of rows) {
          const pair = { accessToken: vault.decrypt(r.access_token_enc, aad.access(r.id)), refreshToken: vault.decrypt(r.refresh_token_enc, aad.refresh(r.id)) };
          const known = issued.get(r.seller_id)!;
          const k = known.findIndex((p) => p.accessToken === pair.accessToken && p.refreshToken === pair.refreshToken);
          assert.ok(k >= 0, `round ${round}, ${r.id}: the stored pair is not one the platform issued, whole (mixed or unknown tokens)`);
          assert.equal(r.status, 'AUTHORIZED');
          if (k === 0) {
            untouched++;
            assert.equal(r.version, 0, `${r.id}: version moved without a new pair`);
          } else {
            refreshedBeforeKill++;
            assert.ok(r.version >= 1, `${r.id}: a new pair without a version bump`);
          }
        }
      } finally {
        db.close();
      }
    }
  } finally {
    await proxy.close();
    await fakes.close();
  }
  assert.ok(refreshedBeforeKill > 0, 'no refresh was stored before any kill: the kills landed too early to test anything');
  assert.ok(untouched > 0, 'every connection was refreshed before the kills: the kills landed too late');
  console.log(`crash-refresh: ${ROUNDS} kills, ${refreshedBeforeKill} new pairs stored, ${untouched} old pairs kept, all whole`);
});
