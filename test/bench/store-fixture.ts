// Store connections due for refresh against the local fake Shoplazza, for the refresh benchmark and
// the secrets test. Uses the store engineer's TokenManager (src/server/store/refresh.ts).
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { Kysely } from 'kysely';
import { FakeShoplazza, fakeStoreEnv, startFakes } from '../fakes/platforms.ts';
import { createAdapters } from '../../src/server/store/platforms/adapters.ts';
import { parseStoreConfig } from '../../src/server/store/config.ts';
import { silentLogger, type StoreLogger } from '../../src/server/store/log.ts';
import { TokenManager } from '../../src/server/store/refresh.ts';
import { aad, newConnectionRow, storeDb } from '../../src/server/store/repo.ts';
import { createVault, type Vault } from '../../src/server/store/vault.ts';
import { createWebhookSender } from '../../src/server/store/webhook.ts';

export interface StoreFixture {
  /** Every fake platform (fakeStoreEnv(fakes) configures a store service for them). */
  fakes: Awaited<ReturnType<typeof startFakes>>;
  fake: FakeShoplazza;
  vault: Vault;
  manager: TokenManager;
  ids: string[];
  pairs: Map<string, { accessToken: string; refreshToken: string }>;
  close(): Promise<void>;
}

export async function storeFixture(db: Kysely<any>, n: number, secretKey: string, log: StoreLogger = silentLogger): Promise<StoreFixture> {
  const fakes = await startFakes();
  const fake = fakes.shoplazza;
  const config = parseStoreConfig({ ...fakeStoreEnv(fakes), SHOP_CHAT_SECRET_KEY: secretKey });
  const vault = createVault({ secretKey, nodeEnv: 'test' });
  const adapters = createAdapters(config, { timeoutMs: 30_000 });
  const manager = new TokenManager({ db: storeDb(db), vault, adapters, log, webhook: createWebhookSender({ db, log }) }); // no URL: no webhooks
  const stores = Array.from({ length: n }, (_, i) => `bench-store-${i}`);
  const { ids, pairs } = await insertDueConnections(db, vault, stores, stores.map((s) => fake.seedPair(s)));
  fake.resetCounts();
  return { fakes, fake, vault, manager, ids, pairs, close: () => fakes.close() };
}

/**
 * `n` connections, one per store, each due for refresh (expiring within every margin), with the
 * given live pairs sealed by `vault`. Returns their ids and each id's pair.
 */
export async function insertDueConnections(
  db: Kysely<any>,
  vault: Vault,
  stores: string[],
  storePairs: { accessToken: string; refreshToken: string }[],
): Promise<{ ids: string[]; pairs: Map<string, { accessToken: string; refreshToken: string }> }> {
  const now = Date.now();
  const ids: string[] = [];
  const pairs = new Map<string, { accessToken: string; refreshToken: string }>();
  const rows = [];
  for (let i = 0; i < stores.length; i++) {
    const id = `conn_${randomUUID().replace(/-/g, '').slice(0, 20)}`;
    const store = stores[i]!;
    const pair = storePairs[i]!;
    pairs.set(id, pair);
    ids.push(id);
    rows.push({
      ...newConnectionRow({ id, shopUid: `bench_shop_${i}_${id.slice(-6)}`, orgUid: null, platform: 'SHOPLAZZA', authType: 'URL', sellerId: store, now }),
      seller_name: store,
      seller_key: `SHOPLAZZA:${store}:${id.slice(-6)}`,
      status: 'AUTHORIZED',
      access_token_enc: vault.encrypt(pair.accessToken, aad.access(id)),
      refresh_token_enc: vault.encrypt(pair.refreshToken, aad.refresh(id)),
      scope: 'read_shop',
      expires_at: now + 60_000, // due: inside every margin
    });
  }
  for (let i = 0; i < rows.length; i += 200) await db.insertInto('store_connection').values(rows.slice(i, i + 200)).execute();
  return { ids, pairs };
}

/** The fake platforms in a child process (fake-platforms-child.ts): their env, seeding, call counts. */
export interface RemoteFakes {
  env: Record<string, string>;
  seedPairs(stores: string[]): Promise<{ accessToken: string; refreshToken: string }[]>;
  count(op: string): Promise<number>;
  close(): Promise<void>;
}

export async function remoteFakes(): Promise<RemoteFakes> {
  const child = fork(fileURLToPath(new URL('./fake-platforms-child.ts', import.meta.url)), [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const waiting = new Map<number, (m: any) => void>();
  let seq = 0;
  child.on('message', (m: any) => {
    waiting.get(m.id)?.(m);
    waiting.delete(m.id);
  });
  const call = (msg: object) =>
    new Promise<any>((resolve, reject) => {
      const id = ++seq;
      waiting.set(id, resolve);
      child.send({ ...msg, id }, (err) => err && reject(err));
    });
  const ready = await new Promise<any>((resolve, reject) => {
    waiting.set(0, resolve);
    child.once('exit', (code) => reject(new Error(`fake platforms exited (${code})`)));
  });
  return {
    env: ready.env,
    seedPairs: async (stores) => (await call({ type: 'seed', stores })).pairs,
    count: async (op) => (await call({ type: 'count', op })).n,
    close: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      await call({ type: 'close' }).catch(() => undefined);
      await exited;
    },
  };
}

/** Refreshes every id with at most `concurrency` in flight; returns outcomes and the peak concurrency seen upstream. */
export async function refreshAll(f: StoreFixture, concurrency: number) {
  let next = 0;
  let inFlight = 0;
  let peak = 0;
  const outcomes: Record<string, number> = {};
  const worker = async () => {
    while (next < f.ids.length) {
      const id = f.ids[next++]!;
      inFlight++;
      peak = Math.max(peak, inFlight);
      const r = await f.manager.refreshNow(id);
      inFlight--;
      outcomes[r.result] = (outcomes[r.result] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { outcomes, peak };
}
