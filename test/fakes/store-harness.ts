// Shared setup of the store tests: a database with the store tables and the webhook outbox (SQLite file or a PostgreSQL schema), a
// capturing logger, a vault with a random key, and a seeded connection row.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import { storeMigration, webhookOutboxMigration } from '../../src/server/store/migration.ts';
import type { StoreLogger } from '../../src/server/store/log.ts';
import { aad, newConnectionRow, type StoreDb } from '../../src/server/store/repo.ts';
import type { StoreTables } from '../../src/server/store/tables.ts';
import { Vault } from '../../src/server/store/vault.ts';

export interface TestDb {
  db: StoreDb;
  file?: string;
  dir: string;
  close(): Promise<void>;
}

export async function sqliteStoreDb(): Promise<TestDb> {
  const dir = mkdtempSync(join(tmpdir(), 'shop-chat-store-'));
  const file = join(dir, 'store.db');
  const sqlite = new SqliteDatabase(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('busy_timeout = 5000');
  const db = new Kysely<StoreTables>({ dialect: new SqliteDialect({ database: sqlite }) });
  await storeMigration.up(db);
  await webhookOutboxMigration.up(db);
  return {
    db,
    file,
    dir,
    async close() {
      await db.destroy();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A fresh schema in the PostgreSQL database of TEST_DATABASE_URL; `open` gives more pools on it. */
export async function pgStoreDb(url: string, schema: string): Promise<TestDb & { open(): StoreDb }> {
  const admin = new pg.Pool({ connectionString: url, max: 1 });
  await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await admin.query(`CREATE SCHEMA "${schema}"`);
  const pools: Kysely<StoreTables>[] = [];
  const open = () => {
    const pool = new pg.Pool({ connectionString: url, max: 10, options: `-c search_path=${schema}` });
    const k = new Kysely<StoreTables>({ dialect: new PostgresDialect({ pool }) });
    pools.push(k);
    return k;
  };
  const db = open();
  await storeMigration.up(db);
  await webhookOutboxMigration.up(db);
  const dir = mkdtempSync(join(tmpdir(), 'shop-chat-store-pg-'));
  return {
    db,
    dir,
    open,
    async close() {
      for (const k of pools) await k.destroy();
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await admin.end();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function captureLogger(): { log: StoreLogger; lines: string[] } {
  const lines: string[] = [];
  const rec = (level: string) => (obj: object, msg?: string) => void lines.push(JSON.stringify({ level, ...obj, msg }));
  return { lines, log: { debug: rec('debug'), info: rec('info'), warn: rec('warn'), error: rec('error') } };
}

export const testVault = () => new Vault(randomBytes(32));

export interface SeedInput {
  id?: string;
  shopUid?: string;
  orgUid?: string;
  platform: 'SHOPLAZZA' | 'YOUZAN' | 'FKW';
  authType?: 'URL' | 'KEY';
  sellerId: string;
  accessToken: string;
  refreshToken?: string | null;
  credentials?: { apiKey?: string; apiSecret?: string; token?: string };
  expiresAt: number | null;
  status?: string;
}

export async function seedConnection(db: StoreDb, vault: Vault, s: SeedInput): Promise<string> {
  const id = s.id ?? `sc_${randomBytes(8).toString('hex')}`;
  const now = Date.now();
  await db
    .insertInto('store_connection')
    .values({
      ...newConnectionRow({ id, shopUid: s.shopUid ?? `shop_${id}`, orgUid: s.orgUid ?? 'org_test', platform: s.platform, authType: s.authType ?? 'URL', sellerId: s.sellerId, now }),
      seller_key: `${s.platform}:${s.sellerId}`,
      status: s.status ?? 'AUTHORIZED',
      access_token_enc: vault.encrypt(s.accessToken, aad.access(id)),
      refresh_token_enc: s.refreshToken ? vault.encrypt(s.refreshToken, aad.refresh(id)) : null,
      credentials_enc: s.credentials ? vault.encrypt(JSON.stringify(s.credentials), aad.credentials(id)) : null,
      expires_at: s.expiresAt,
    })
    .execute();
  return id;
}

export { sql };
