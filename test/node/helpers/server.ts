// Shared helpers of the server tests: build the app on a temp SQLite file or on a private
// PostgreSQL schema, capture logs, make tokens.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { PG_URL, postgresMissing } from '../../helpers/postgres.ts';

export { PG_URL };
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import type { Kysely } from 'kysely';
import pg from 'pg';
import { buildApp } from '../../../src/server/app.ts';
import { createServices, type Services, type ServicesOptions } from '../../../src/server/compose.ts';
import { loadConfig, type Config } from '../../../src/server/config.ts';
import { createDatabase, migrateToLatest, type DatabaseHandle, type DialectName } from '../../../src/server/db/index.ts';
import { startServerProcess, type ServerProcess } from '../../helpers/server-process.ts';
import type { Database } from '../../../src/server/db/types.ts';

export const ADMIN_TOKEN = `test-admin-${randomBytes(12).toString('hex')}`;

export interface Harness {
  kind: DialectName;
  /** `upstream`: the app proxies the open API to a second server process in local mode. */
  mode: 'local' | 'upstream';
  app: FastifyInstance;
  /** The app's services (compose.ts): store, auth, open-API backend, … */
  services: Services;
  /** The database the open API's data lives in: the app's own, or in upstream mode the upstream process's. */
  db: Kysely<Database>;
  /** Upstream mode: the app's own database (credential, mirror, our API tokens). */
  localDb?: Kysely<Database>;
  config: Config;
  /** SQLite file path (sqlite only). */
  sqlitePath?: string;
  /** Every log line written so far. */
  logs: string[];
  /** Shifts the app's clock by `ms`. */
  advanceClock(ms: number): void;
  /** inject() with the admin bearer unless `token` is given (`null` = no Authorization). */
  call(method: 'GET' | 'POST', url: string, body?: unknown, token?: string | null, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  env?: Record<string, string>;
  rateLimitNamespace?: string;
  /** Store-service knobs (fetch, retry policy, …). */
  store?: ServicesOptions['store'];
  /** Folders of /widget/ and /demo/ (default: none). */
  staticRoots?: { widget?: string | null; demo?: string | null };
  /** PostgreSQL: join this existing schema (a second instance on the same data) instead of a new one. */
  schema?: string;
}

const BASE_ENV: Record<string, string> = {
  SHOP_CHAT_ADMIN_TOKEN: ADMIN_TOKEN,
  LOG_LEVEL: 'info',
  SHOP_CHAT_RATE_LIMIT: '1000000',
  SHOP_CHAT_RATE_LIMIT_IP: '1000000',
  SHOP_CHAT_RATE_LIMIT_REFRESH: '1000000',
  SHOP_CHAT_RATE_LIMIT_REFRESH_FAILURES: '1000000',
  NODE_ENV: 'test',
};


export async function createHarness(kind: DialectName, opts: HarnessOptions = {}): Promise<Harness> {
  let url: string;
  let dir: string | undefined;
  let schema: string | undefined;
  if (kind === 'sqlite') {
    dir = mkdtempSync(join(tmpdir(), 'shop-chat-test-'));
    url = `sqlite:${join(dir, 'test.db')}`;
  } else {
    if (!PG_URL) throw new Error('TEST_DATABASE_URL not set');
    url = PG_URL;
    if (opts.schema) schema = opts.schema;
    else {
      schema = `t_${randomBytes(6).toString('hex')}`;
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      await client.query(`create schema ${schema}`);
      await client.end();
    }
  }
  const config = loadConfig({ ...BASE_ENV, DATABASE_URL: url, ...opts.env });
  const handle = createDatabase(url, { ...config.database, ...(schema ? { searchPath: schema, poolSize: 25 } : {}) });
  await migrateToLatest(handle.db);
  const logs: string[] = [];
  const logStream = new Writable({
    write(chunk, _enc, cb) {
      logs.push(String(chunk));
      cb();
    },
  });
  let offset = 0;
  const services = createServices(config, handle, {
    now: () => new Date(Date.now() + offset),
    logStream,
    ...(opts.store ? { store: opts.store } : {}),
  });
  const app = await buildApp(services, {
    rateLimitNamespace: opts.rateLimitNamespace ?? `test-${randomBytes(6).toString('hex')}:`,
    staticRoots: opts.staticRoots ?? { widget: null, demo: null },
  });
  await app.ready();
  return {
    kind,
    mode: config.upstream ? 'upstream' : 'local',
    app,
    services,
    db: handle.db,
    config,
    ...(dir ? { sqlitePath: join(dir, 'test.db') } : {}),
    logs,
    advanceClock(ms) {
      offset += ms;
    },
    call(method, url, body, token, headers = {}) {
      const h: Record<string, string> = { ...headers };
      const t = token === undefined ? ADMIN_TOKEN : token;
      if (t !== null) h.authorization = `Bearer ${t}`;
      const o: InjectOptions = { method, url, headers: h };
      if (body !== undefined) o.payload = body as InjectOptions['payload'];
      return app.inject(o);
    },
    async close() {
      await app.close();
      await handle.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
      if (schema && !opts.schema) {
        const client = new pg.Client({ connectionString: PG_URL });
        await client.connect();
        await client.query(`drop schema ${schema} cascade`);
        await client.end();
      }
    },
  };
}

/**
 * Runs `fn` as a suite on SQLite, then on PostgreSQL (`TEST_DATABASE_URL`). Without it the
 * PostgreSQL run is skipped with a visible line, except under CI=true, where it fails.
 */
export function describeEachDatabase(name: string, fn: (h: () => Harness, kind: DialectName) => void, opts: HarnessOptions = {}): void {
  for (const kind of ['sqlite', 'postgres'] as const) {
    if (kind === 'postgres' && !PG_URL) {
      postgresMissing(`${name} [postgres]`);
      continue;
    }
    describe(`${name} [${kind}]`, () => {
      let h: Harness | undefined;
      before(async () => {
        h = await createHarness(kind, opts);
      });
      after(async () => {
        await h?.close();
      });
      fn(() => {
        if (!h) throw new Error('harness not ready');
        return h;
      }, kind);
    });
  }
}

/** The upstream process's admin token: the credential of the app in upstream mode, never a caller's. */
export const UPSTREAM_ADMIN_TOKEN = `test-upstream-admin-${randomBytes(12).toString('hex')}`;

/**
 * The app in upstream mode (on SQLite) in front of a second server process in local mode, which
 * gets `opts.env` too (its local-mode settings, such as SHOP_CHAT_AUTO_REGISTER, apply there).
 * The harness's `db` is the upstream's database: direct checks look where the data lives.
 */
export async function createUpstreamHarness(opts: HarnessOptions = {}): Promise<Harness & { upstream: ServerProcess }> {
  const dir = mkdtempSync(join(tmpdir(), 'shop-chat-upstream-'));
  const file = join(dir, 'upstream.db');
  let upstream: ServerProcess | undefined;
  let upstreamDb: DatabaseHandle | undefined;
  try {
    upstream = await startServerProcess({ ...BASE_ENV, LOG_LEVEL: 'warn', ...opts.env, SHOP_CHAT_ADMIN_TOKEN: UPSTREAM_ADMIN_TOKEN, DATABASE_URL: `sqlite:${file}` }, dir);
    upstreamDb = createDatabase(`sqlite:${file}`);
    const proxy = await createHarness('sqlite', { ...opts, env: { ...opts.env, SHOP_CHAT_UPSTREAM_URL: upstream.base, SHOP_CHAT_UPSTREAM_ACCESS_TOKEN: UPSTREAM_ADMIN_TOKEN } });
    const [up, db] = [upstream, upstreamDb];
    return {
      ...proxy,
      db: db.db,
      localDb: proxy.db,
      upstream: up,
      async close() {
        await proxy.close();
        await db.close();
        await up.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await upstreamDb?.close();
    await upstream?.stop();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

/**
 * `describeEachDatabase`, then once more in upstream mode (createUpstreamHarness): the same
 * assertions must hold whichever backend serves the open API.
 */
export function describeEachBackend(name: string, fn: (h: () => Harness, kind: DialectName) => void, opts: HarnessOptions = {}): void {
  describeEachDatabase(name, fn, opts);
  describe(`${name} [upstream]`, () => {
    let h: Harness | undefined;
    before(async () => {
      h = await createUpstreamHarness(opts);
    });
    after(async () => {
      await h?.close();
    });
    fn(() => {
      if (!h) throw new Error('harness not ready');
      return h;
    }, 'sqlite');
  });
}

/** Parsed JSON body of a response. */
export function json<T = any>(res: LightMyRequestResponse): T {
  return JSON.parse(res.body) as T;
}

let counter = 0;
/** A fresh shopUid / mobile per call, so tests in one suite do not collide. */
export function uniqueShop(prefix = 'shop'): { shopUid: string; mobile: string } {
  counter += 1;
  const n = `${Date.now() % 1_000_000}${counter}`.padStart(8, '0');
  return { shopUid: `${prefix}_${randomBytes(4).toString('hex')}_${counter}`, mobile: `139${n.slice(-8)}` };
}

/** Onboards a new shop as admin and returns the shop object. */
export async function onboardShop(h: Harness, extra: Record<string, unknown> = {}) {
  const { shopUid, mobile } = uniqueShop();
  const res = await h.call('POST', '/api/v1/shop/open/onboard', { mobile, shopUid, shopName: `Shop ${shopUid}`, shopLogo: 'https://example.com/logo.png', ...extra });
  if (res.statusCode !== 200) throw new Error(`onboard failed: ${res.statusCode} ${res.body}`);
  const data = json(res).data;
  const shop = data.shopList.find((s: { shopUid: string }) => s.shopUid === (extra.shopUid ?? shopUid));
  return { shopUid: shop.shopUid as string, mobile, shop, data };
}

/** Creates an org token for `shopUid` as admin; returns the full create response data. */
export async function createOrgToken(h: Harness, shopUid: string, extra: Record<string, unknown> = {}) {
  const res = await h.call('POST', '/api/v1/shop/open/token/create', { name: 'test-token', shopUid, ...extra });
  if (res.statusCode !== 200) throw new Error(`token create failed: ${res.statusCode} ${res.body}`);
  return json(res).data as { uid: string; accessToken: string; refreshToken: string; orgUid: string; expiresAt: string };
}
