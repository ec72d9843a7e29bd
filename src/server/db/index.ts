import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, Migrator, PostgresAdapter, PostgresDialect, SqliteDialect, sql, type DialectAdapter, type SqliteDialectConfig } from 'kysely';
import pg from 'pg';
import { migrationProvider } from './migrations.ts';
import { DirectSqliteAdapter, preparedStatementNames, type DirectSqlite } from './prepared.ts';
import type { Database } from './types.ts';

export type { Database } from './types.ts';
export type DialectName = 'sqlite' | 'postgres';

export interface DatabaseHandle {
  db: Kysely<Database>;
  dialect: DialectName;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** PostgreSQL only: `search_path` of every pooled connection (tests use one schema per file). */
  searchPath?: string;
  /** PostgreSQL pool size (default 10). */
  poolSize?: number;
}

/** Opens `sqlite:PATH` (WAL, busy timeout, foreign keys) or `postgres://…` (pg Pool). */
export function createDatabase(url: string, options: DatabaseOptions = {}): DatabaseHandle {
  if (url.startsWith('sqlite:')) {
    const raw = url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    const file = raw === ':memory:' ? raw : resolve(raw);
    if (file !== ':memory:') {
      mkdirSync(dirname(file), { recursive: true });
      // Owner-only (0600) when created here; SQLite gives the -wal and -shm files the database file's mode.
      closeSync(openSync(file, 'a', 0o600));
    }
    const sqlite = new SqliteDatabase(file);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('busy_timeout = 5000');
    sqlite.pragma('foreign_keys = ON');
    // WAL + NORMAL: a commit is durable against a crash of the process (the WAL is written before
    // the commit returns); only an OS crash or power loss can lose the last commits.
    sqlite.pragma('synchronous = NORMAL');
    // Checkpoint every ~40 MB of WAL instead of every 4 MB: a checkpoint copies each page changed
    // since the last one, so a longer interval copies hot pages (index roots, the table ends) once
    // instead of ten times. It halves the cost of a commit under onboard load (~400 → ~200 µs).
    // The WAL file is cut back to 64 MB after a checkpoint.
    sqlite.pragma('wal_autocheckpoint = 10000');
    sqlite.pragma('journal_size_limit = 67108864');
    // Statement journals of savepoints (onboard's group commit) and sort b-trees in memory.
    sqlite.pragma('temp_store = MEMORY');
    const statements = statementCache(sqlite);
    const dataVersion = sqlite.prepare('pragma data_version').pluck();
    const direct: DirectSqlite = {
      prepare: (text) => statements.prepare(text),
      inTransaction: () => sqlite.inTransaction,
      writes: () => statements.writes,
      dataVersion: () => dataVersion.get() as number,
    };
    const db = new Kysely<Database>({ dialect: new DirectSqliteDialect({ database: statements }, direct) });
    return { db, dialect: 'sqlite', close: () => db.destroy() };
  }
  if (/^postgres(ql)?:\/\//.test(url)) {
    const pool = new pg.Pool({
      connectionString: url,
      max: options.poolSize ?? 10,
      // Named statements (namedStatementPool) with a plan made for each call's values: a generic plan
      // cached while the tables were small (a sequential scan) would otherwise stay as they grow.
      options: ['-c plan_cache_mode=force_custom_plan', ...(options.searchPath ? [`-c search_path=${options.searchPath}`] : [])].join(' '),
    });
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: namedStatementPool(pool) }) });
    return { db, dialect: 'postgres', close: () => db.destroy() };
  }
  throw new Error('DATABASE_URL must be sqlite:PATH or postgres://…');
}

/** Kysely's SQLite dialect whose adapter carries the connection for db/prepared.ts's direct path. */
class DirectSqliteDialect extends SqliteDialect {
  readonly #direct: DirectSqlite;
  constructor(config: SqliteDialectConfig, direct: DirectSqlite) {
    super(config);
    this.#direct = direct;
  }
  override createAdapter(): DialectAdapter {
    return new DirectSqliteAdapter(this.#direct);
  }
}

/** Statements kept per SQL text; beyond this the oldest is dropped. */
const STATEMENT_CACHE_SIZE = 256;

/**
 * better-sqlite3 with prepared statements cached by SQL text. Kysely's SQLite driver prepares every
 * query anew (parsing and planning it each time: ~15 % of a request's CPU); the cache turns that into
 * a Map lookup. Safe because better-sqlite3 runs a statement to completion synchronously (Kysely
 * streams nothing here), and SQLite re-prepares a statement by itself when the schema changes.
 * DDL and PRAGMAs are not cached.
 */
function statementCache(sqlite: SqliteDatabase.Database) {
  // Each statement with whether it may write (anything but select, pragma and transaction control).
  const cache = new Map<string, { stmt: SqliteDatabase.Statement; writes: boolean }>();
  const self = {
    /**
     * Statements run so far that may write, counted as they are prepared, i.e. just before they
     * run: read caches (db/prepared.ts readCache) compare it to know that nothing was written on
     * this connection.
     */
    writes: 0,
    prepare(sql: string) {
      let entry = cache.get(sql);
      if (entry === undefined) {
        entry = { stmt: sqlite.prepare(sql), writes: !READ_ONLY.test(sql) };
        if (CACHED.test(sql)) {
          if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
          cache.set(sql, entry);
        }
      }
      if (entry.writes) self.writes++;
      return entry.stmt;
    },
    close() {
      cache.clear();
      sqlite.close();
    },
  };
  return self;
}

const CACHED = /^\s*(select|insert|update|delete|with|begin|commit|rollback|savepoint|release)\b/i;
/** SQL that cannot change the data (a `with` may end in an insert: it counts as a write). */
const READ_ONLY = /^\s*(select|pragma|begin|commit|rollback|savepoint|release)\b/i;

/**
 * The pg pool, with the queries of `prepared()` (db/prepared.ts) sent as named statements: the
 * server parses and plans each of them once per connection instead of on every call. Other SQL is
 * sent as before (unnamed), so the number of statements per connection stays bounded.
 */
function namedStatementPool(pool: pg.Pool) {
  const patched = new WeakSet<object>();
  return {
    async connect() {
      const client = await pool.connect();
      if (!patched.has(client)) {
        patched.add(client);
        const query = client.query.bind(client) as (...args: unknown[]) => unknown;
        (client as unknown as { query: unknown }).query = (text: unknown, values?: unknown[]) => {
          const name = typeof text === 'string' ? preparedStatementNames.get(text) : undefined;
          return name ? query({ name, text, values }) : values === undefined ? query(text) : query(text, values);
        };
      }
      return client;
    },
    end: () => pool.end(),
  };
}

/** Runs every pending migration; throws on the first failure. */
export async function migrateToLatest(db: Kysely<Database>): Promise<string[]> {
  // PostgreSQL: Kysely looks for its migration tables in every schema unless told which one, so
  // another schema's `kysely_migration` (another app, or the same app with another search_path)
  // made it skip creating ours and then fail. Ours live in the schema the tables are created in.
  const schema =
    db.getExecutor().adapter instanceof PostgresAdapter
      ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(db)).rows[0]?.schema
      : undefined;
  const migrator = new Migrator({ db, provider: migrationProvider, ...(schema ? { migrationTableSchema: schema } : {}) });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** `select 1` — true when the database answers. */
export async function pingDatabase(db: Kysely<Database>): Promise<boolean> {
  try {
    await sql`select 1`.execute(db);
    return true;
  } catch {
    return false;
  }
}
