// Shared helpers of the reliability suite. Every file of one `npm run test:reliability` run shares
// RUN_DIR (keyed by the test runner's pid): databases, captured logs and the secrets issued go there,
// and zz-secrets.test.ts scans all of it at the end.
import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';

export const ADMIN = 'reliability-admin-token-0123456789abcdef';
export const SECRET_KEY = Buffer.alloc(32, 9).toString('base64');
export const RUN_DIR = process.env.SHOP_CHAT_RELIABILITY_DIR ?? join(tmpdir(), `shop-chat-reliability-${process.ppid}`);
mkdirSync(join(RUN_DIR, 'logs'), { recursive: true });
mkdirSync(join(RUN_DIR, 'db'), { recursive: true });

/** Records a value that must never appear in a database file or a log. */
export function recordSecret(kind: string, value: string | null | undefined): void {
  if (!value || value.length < 8) return;
  appendFileSync(join(RUN_DIR, 'secrets.jsonl'), JSON.stringify({ kind, value }) + '\n');
}

export function testEnv(databaseUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl,
    LOG_LEVEL: 'trace',
    NODE_ENV: 'test',
    SHOP_CHAT_ADMIN_TOKEN: ADMIN,
    SHOP_CHAT_RATE_LIMIT: '100000000',
    SHOP_CHAT_RATE_LIMIT_IP: '100000000',
    SHOP_CHAT_RATE_LIMIT_REFRESH: '100000000',
    SHOP_CHAT_RATE_LIMIT_REFRESH_FAILURES: '100000000',
    SHOP_CHAT_REFRESH_SWEEP: 'off',
    SHOP_CHAT_SECRET_KEY: SECRET_KEY,
    ...extra,
  };
}

export interface TestApp {
  app: FastifyInstance;
  dbFile: string;
  db: import('kysely').Kysely<any>;
  close(): Promise<void>;
}

/**
 * The real app in process (app.inject), on a fresh SQLite file in RUN_DIR, or with `postgres` on a
 * private schema of TEST_DATABASE_URL (dropped on close); logs captured to RUN_DIR.
 */
export async function makeApp(name: string, extraEnv: Record<string, string> = {}, options: { postgres?: string } = {}): Promise<TestApp> {
  const dir = mkdtempSync(join(RUN_DIR, 'db', `${name}-`));
  const dbFile = join(dir, 'shop-chat.db');
  const env = testEnv(options.postgres ?? `sqlite:${dbFile}`, extraEnv);
  const { loadConfig } = await import('../../src/server/config.ts');
  const { createDatabase, migrateToLatest } = await import('../../src/server/db/index.ts');
  const { buildApp } = await import('../../src/server/app.ts');
  const config = loadConfig(env as NodeJS.ProcessEnv);
  const schema = options.postgres ? `rel_${randomBytes(6).toString('hex')}` : undefined;
  const admin = async (sql: string) => {
    const pg = (await import('pg')).default;
    const c = new pg.Client({ connectionString: options.postgres });
    await c.connect();
    await c.query(sql);
    await c.end();
  };
  if (schema) await admin(`create schema ${schema}`);
  const handle = createDatabase(config.databaseUrl, { ...config.database, ...(schema ? { searchPath: schema } : {}) });
  await migrateToLatest(handle.db);
  const logFile = join(RUN_DIR, 'logs', `${name}-${process.pid}.log`);
  const logStream = new Writable({
    write(chunk, _enc, cb) {
      appendFileSync(logFile, chunk);
      cb();
    },
  });
  const { createServices } = await import('../../src/server/compose.ts');
  const app = await buildApp(createServices(config, handle, { logStream }), { staticRoots: { widget: null, demo: null } });
  await app.ready();
  return {
    app,
    dbFile,
    db: handle.db as never,
    close: async () => {
      await app.close();
      await handle.close();
      if (schema) await admin(`drop schema ${schema} cascade`);
    },
  };
}

export interface Reply {
  status: number;
  json: any;
  body: string;
}

export async function call(app: FastifyInstance, method: string, url: string, token: string | null, payload?: unknown): Promise<Reply> {
  const res = await app.inject({
    method: method as 'GET',
    url,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(payload !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(payload !== undefined ? { payload: JSON.stringify(payload) } : {}),
  });
  let json: any;
  try {
    json = JSON.parse(res.body);
  } catch {
    json = undefined;
  }
  return { status: res.statusCode, json, body: res.body };
}

let n = 0;
export const uniq = (p: string) => `${p}_${process.pid.toString(36)}_${Date.now().toString(36)}_${(n++).toString(36)}`;

/** Onboards a shop (admin) and creates an org token for it; the secrets are recorded. */
export async function seedShop(app: FastifyInstance, shopUid = uniq('shop'), mobile = `138${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`) {
  const ob = await call(app, 'POST', '/api/v1/shop/open/onboard', ADMIN, { mobile, shopUid, shopName: `Shop ${shopUid}`, shopLogo: 'https://example.com/logo.png' });
  if (ob.status !== 200) throw new Error(`onboard ${ob.status}: ${ob.body.slice(0, 300)}`);
  const tk = await call(app, 'POST', '/api/v1/shop/open/token/create', ADMIN, { name: 'rel', shopUid, channel: 'WEB', device: 'reliability' });
  if (tk.status !== 200) throw new Error(`token/create ${tk.status}: ${tk.body.slice(0, 300)}`);
  recordSecret('accessToken', tk.json.data.accessToken);
  recordSecret('refreshToken', tk.json.data.refreshToken);
  const shop = ob.json.data.shopList.find((s: any) => s.shopUid === shopUid) ?? ob.json.data.shopList[0];
  return { shopUid, mobile, shop, orgUid: shop.orgUid as string, token: tk.json.data.accessToken as string, refreshToken: tk.json.data.refreshToken as string, tokenUid: tk.json.data.uid as string };
}

/** True when PostgreSQL answers; prints a visible line otherwise (and CI must fail). */
export async function postgresAvailable(url = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test'): Promise<boolean> {
  const pg = (await import('pg')).default;
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await c.connect();
    await c.end();
    return true;
  } catch (e) {
    console.log(`!! PostgreSQL unreachable at ${url}: ${(e as Error).message}`);
    return false;
  }
}
