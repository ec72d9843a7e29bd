import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { EventEmitter } from 'node:events';
import {
  CompiledQuery,
  Kysely,
  Migrator,
  PostgresAdapter,
  PostgresDialect,
  SqliteDialect,
  SqliteDriver,
  sql,
  type DatabaseConnection,
  type DialectAdapter,
  type Driver,
  type PostgresDialectConfig,
  type QueryResult,
  type SqliteDialectConfig,
} from 'kysely';
import pg from 'pg';
import { SQLITE_BUSY_TIMEOUT_MS, busyWaiter } from './busy.ts';
import { isDatabaseUnavailable } from '../errors.ts';
import { CHANGES_CHANNEL, startChangeFeed, type ChangeFeed } from './changes.ts';
import { DATABASE_DEFAULTS } from './defaults.ts';
import { migrationProvider } from './migrations.ts';
import { ChangeFeedPostgresAdapter, DirectSqliteAdapter, preparedStatementNames, type DirectSqlite } from './prepared.ts';
import type { Database } from './types.ts';

export type { Database } from './types.ts';
export type DialectName = 'sqlite' | 'postgres';

/**
 * What the database layer reports: `pool-error` (an error of a pooled PostgreSQL connection: a
 * terminated backend, a restart, a proxy's idle kill; logged and counted, never fatal).
 */
export interface DatabaseEvents {
  /** Errors of pooled connections so far. */
  poolErrors: number;
  emitter: EventEmitter<{ 'pool-error': [Error] }>;
}

export interface DatabaseHandle {
  db: Kysely<Database>;
  dialect: DialectName;
  events: DatabaseEvents;
  close(): Promise<void>;
}


export interface DatabaseOptions {
  /** PostgreSQL only: `search_path` of every pooled connection (tests use one schema per file). */
  searchPath?: string;
  /** PostgreSQL pool size (default 10). */
  poolSize?: number;
  /** PostgreSQL: opening a connection gives up after this (default 1000 ms). */
  connectTimeoutMs?: number;
  /** PostgreSQL: a statement is cancelled after this, and a connection that does not answer is dropped (default 1000 ms). */
  statementTimeoutMs?: number;
  /** PostgreSQL: waiting for a free pooled connection gives up after this (default 5000 ms; at once when the database is found down). */
  acquireTimeoutMs?: number;
  /**
   * PostgreSQL behind PgBouncer in transaction mode: unnamed statements only and no session state
   * in the startup packet (search_path, plan_cache_mode and statement_timeout are not sent:
   * `searchPath` is ignored, give the role or database its settings instead).
   */
  pgbouncer?: boolean;
  /** SQLite: a write waits this long for another process's lock before answering 503 (default 1500 ms). */
  busyTimeoutMs?: number;
  /**
   * PostgreSQL: where the read cache's LISTEN connection goes (default DATABASE_URL; behind
   * PgBouncer in transaction mode it must be PostgreSQL itself, else the cache stays off).
   */
  listenUrl?: string | undefined;
  /** PostgreSQL: the exact read cache across instances (default on). */
  readCache?: boolean;
}


/** Opens `sqlite:PATH` (WAL, busy waits off the event loop, foreign keys) or `postgres://…` (pg Pool). */
export function createDatabase(url: string, options: DatabaseOptions = {}): DatabaseHandle {
  const events: DatabaseEvents = { poolErrors: 0, emitter: new EventEmitter() };
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
    // SQLite's wait blocks the event loop: keep it short and wait longer asynchronously (db/busy.ts).
    sqlite.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
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
    const busy = busyWaiter(options.busyTimeoutMs ?? DATABASE_DEFAULTS.busyTimeoutMs);
    const dataVersion = sqlite.prepare('pragma data_version').pluck();
    const direct: DirectSqlite = {
      prepare: (text) => statements.prepare(text),
      inTransaction: () => sqlite.inTransaction,
      writes: () => statements.writes,
      dataVersion: () => dataVersion.get() as number,
      busy,
    };
    const db = new Kysely<Database>({ dialect: new DirectSqliteDialect({ database: statements }, direct) });
    return { db, dialect: 'sqlite', events, close: () => db.destroy() };
  }
  if (/^postgres(ql)?:\/\//.test(url)) {
    const statementTimeoutMs = options.statementTimeoutMs ?? DATABASE_DEFAULTS.statementTimeoutMs;
    const startup = options.pgbouncer
      ? {}
      : {
          // The server cancels a long statement itself (57014, answered 503).
          statement_timeout: statementTimeoutMs,
          // Named statements (namedStatementPool) with a plan made for each call's values: a generic plan
          // cached while the tables were small (a sequential scan) would otherwise stay as they grow.
          options: ['-c plan_cache_mode=force_custom_plan', ...(options.searchPath ? [`-c search_path=${options.searchPath}`] : [])].join(' '),
        };
    const connectTimeoutMs = options.connectTimeoutMs ?? DATABASE_DEFAULTS.connectTimeoutMs;
    const acquireTimeoutMs = options.acquireTimeoutMs ?? DATABASE_DEFAULTS.acquireTimeoutMs;
    const pool = new pg.Pool({
      connectionString: url,
      max: options.poolSize ?? DATABASE_DEFAULTS.poolSize,
      // pg-pool uses one setting for the wait in its queue and for opening a connection; the
      // client below opens its connection within connectTimeoutMs itself.
      connectionTimeoutMillis: Math.max(acquireTimeoutMs, connectTimeoutMs),
      Client: class extends pg.Client {
        constructor(config?: pg.ClientConfig) {
          super({ ...config, connectionTimeoutMillis: connectTimeoutMs });
        }
      },
      // A server that stops answering (SIGSTOP, a dead network) never cancels anything: the client
      // gives up a little after the server would have, and that connection is dropped. Behind
      // PgBouncer a statement may also wait in its queue, which the server's timeout does not see:
      // more room there, so the client does not give up on a statement the server still runs.
      query_timeout: options.pgbouncer ? statementTimeoutMs * 3 : statementTimeoutMs + 250,
      // TCP keepalive notices a silently dead peer on idle pooled connections.
      keepAlive: true,
      ...startup,
    });
    const notePoolError = (err: Error) => {
      events.poolErrors++;
      if (events.emitter.listenerCount('pool-error') === 0) {
        process.stderr.write(`${JSON.stringify({ level: 40, time: Date.now(), msg: 'database connection error', err: err.message })}\n`);
      } else events.emitter.emit('pool-error', err);
    };
    // An idle pooled connection that fails (terminated backend, restart, proxy idle kill) is
    // reported here; without a listener the 'error' event would end the process.
    pool.on('error', notePoolError);
    // A checked-out connection has no pool listener: one failing between two queries of a
    // request (its query fails too, answered 503) would otherwise throw an unhandled 'error'.
    pool.on('connect', (client) => client.on('error', notePoolError));
    // The read cache's change feed needs a session (LISTEN): PostgreSQL itself, not PgBouncer in
    // transaction mode, unless a direct URL is given for it.
    const listenUrl = options.listenUrl ?? (options.pgbouncer ? undefined : url);
    const changes =
      options.readCache === false || !listenUrl
        ? undefined
        : startChangeFeed(listenUrl, { connectTimeoutMs: options.connectTimeoutMs ?? DATABASE_DEFAULTS.connectTimeoutMs, onError: notePoolError });
    const db = new Kysely<Database>({
      dialect: new ChangeFeedPostgresDialect(
        {
          pool: checkedPool(pool, {
            namedStatements: !options.pgbouncer,
            acquireTimeoutMs,
            changes,
            silenceIsDown: !options.pgbouncer,
            onDown: (err) => notePoolError(Object.assign(new Error(`database counted as down: ${err.message}`), { code: (err as { code?: unknown }).code })),
          }),
        },
        changes,
      ),
    });
    return {
      db,
      dialect: 'postgres',
      events,
      close: async () => {
        await changes?.close();
        await db.destroy();
      },
    };
  }
  throw new Error('DATABASE_URL must be sqlite:PATH or postgres://…');
}

/**
 * Kysely's SQLite dialect, with
 * - an adapter that carries the connection for db/prepared.ts's direct path;
 * - the waits for another process's write lock taken off the event loop (db/busy.ts): a write
 *   transaction begins with `begin immediate`, which takes the lock before anything is read (so it
 *   can neither deadlock nor find its snapshot stale, SQLITE_BUSY_SNAPSHOT) and which, being the
 *   first statement, is safe to retry; a statement outside a transaction is retried the same way.
 *   Inside a transaction nothing waits: it holds the lock.
 */
class DirectSqliteDialect extends SqliteDialect {
  readonly #direct: DirectSqlite;
  readonly #config: SqliteDialectConfig;
  constructor(config: SqliteDialectConfig, direct: DirectSqlite) {
    super(config);
    this.#config = config;
    this.#direct = direct;
  }
  override createAdapter(): DialectAdapter {
    return new DirectSqliteAdapter(this.#direct);
  }
  override createDriver(): Driver {
    const { busy, inTransaction } = this.#direct;
    const wrapped = new WeakMap<DatabaseConnection, DatabaseConnection>();
    return new (class extends SqliteDriver {
      override async acquireConnection(): Promise<DatabaseConnection> {
        const connection = await super.acquireConnection();
        let w = wrapped.get(connection);
        if (w === undefined) {
          w = {
            executeQuery: <R>(query: CompiledQuery) =>
              inTransaction() ? connection.executeQuery<R>(query) : (busy.run(() => connection.executeQuery<R>(query)) as Promise<QueryResult<R>>),
            streamQuery: (query, chunkSize) => connection.streamQuery(query, chunkSize),
          };
          wrapped.set(connection, w);
        }
        return w;
      }
      override async beginTransaction(connection: DatabaseConnection): Promise<void> {
        await connection.executeQuery(CompiledQuery.raw('begin immediate'));
      }
    })(this.#config);
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
 * The pg pool as Kysely sees it, with these changes:
 * - the queries of `prepared()` (db/prepared.ts) are sent as named statements, so the server parses
 *   and plans each of them once per connection instead of on every call (not behind PgBouncer in
 *   transaction mode, where the next transaction may run on another server connection);
 * - waiting for a free connection gives up after `acquireTimeoutMs` (a 503, not a hung request);
 * - a connection whose query failed for a connection reason (lost socket, client-side timeout) is
 *   dropped on release instead of going back to the pool;
 * - after such a failure the database counts as down: requests fail at once (503) instead of each
 *   waiting for its own timeout, while one probe (`select 1`) every PROBE_INTERVAL_MS finds out when
 *   it is back.
 */
function checkedPool(
  pool: pg.Pool,
  o: {
    namedStatements: boolean;
    acquireTimeoutMs: number;
    changes: ChangeFeed | undefined;
    onDown: (err: Error) => void;
    /**
     * A statement the server never answered counts as an outage. Direct to PostgreSQL the server's
     * statement_timeout ends a merely slow one first; behind PgBouncer a statement may also wait in
     * its queue or for a lock, so there it fails only that request.
     */
    silenceIsDown: boolean;
  },
) {
  const patched = new WeakSet<object>();
  const broken = new WeakSet<object>();
  // Connections inside a transaction, and those of them that wrote in it (they notify at commit).
  const inTransaction = new WeakSet<object>();
  const wrote = new WeakSet<object>();
  const { changes } = o;
  let down = false;
  let probing: NodeJS.Timeout | undefined;
  let ended = false;
  const unavailable = () => Object.assign(new Error('Connection terminated: database down, probing'), { code: '08006' });
  // Requests waiting for a free connection: given up at once when the database is found down.
  const waiting = new Set<() => void>();
  const acquire = () =>
    new Promise<pg.PoolClient>((resolve, reject) => {
      let settled = false;
      const giveUp = (err: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        waiting.delete(onDown);
        reject(err);
      };
      const onDown = () => giveUp(unavailable());
      const timer = setTimeout(() => giveUp(Object.assign(new Error('database pool acquire timeout'), { code: 'ETIMEDOUT' })), o.acquireTimeoutMs);
      waiting.add(onDown);
      pool.connect().then(
        (client) => {
          if (settled) return client.release();
          settled = true;
          clearTimeout(timer);
          waiting.delete(onDown);
          resolve(client);
        },
        (err: unknown) => {
          // A connection that could not be opened means the database is out; a long queue does not.
          if (isDatabaseUnavailable(err) && !QUEUE_TIMEOUT.test((err as Error).message)) markDown(err as Error);
          giveUp(err as Error);
        },
      );
    });
  const probe = async () => {
    probing = undefined;
    try {
      const client = await acquire();
      try {
        await client.query('select 1');
        client.release();
        down = false;
        return;
      } catch (err) {
        client.release(err as Error);
      }
    } catch {
      // still down
    }
    if (!ended) probing = setTimeout(() => void probe(), PROBE_INTERVAL_MS).unref();
  };
  const markDown = (err: Error) => {
    // Said once per outage: what made the database count as down.
    if (!down) o.onDown(err);
    down = true;
    for (const giveUp of [...waiting]) giveUp();
    if (probing === undefined && !ended) probing = setTimeout(() => void probe(), PROBE_INTERVAL_MS).unref();
  };
  /** Sends this instance's notification in the open transaction (delivered at its commit); its payload. */
  const notify = async (query: (...args: unknown[]) => Promise<unknown>) => {
    const payload = changes!.nextPayload();
    await query('select pg_notify($1, $2)', [CHANGES_CHANNEL, payload]);
    return payload;
  };
  /**
   * Runs `text` keeping the change feed right: a write moves the version when it is sent (this
   * instance's next reads miss) and once it is committed, and the commit carries a notification for
   * the other instances: in the transaction itself, or right after an autocommit write.
   */
  const tracked = async (client: object, text: string, send: () => Promise<unknown>, query: (...args: unknown[]) => Promise<unknown>) => {
    const c = changes!;
    if (TRANSACTION_START.test(text)) {
      inTransaction.add(client);
      return send();
    }
    if (TRANSACTION_END.test(text)) {
      const committing = /^\s*commit\b/i.test(text) && wrote.has(client);
      inTransaction.delete(client);
      wrote.delete(client);
      // Waited for (and so listened for before it can arrive) once committed: answered only once
      // the other instances have been sent the news, so their next read misses.
      const echoed = committing ? c.echo(await notify(query)) : undefined;
      const result = await send();
      c.bump();
      await echoed;
      return result;
    }
    if (READ_ONLY.test(text)) return send();
    c.bump();
    if (inTransaction.has(client)) {
      wrote.add(client);
      return send();
    }
    const result = await send();
    c.bump();
    const payload = c.nextPayload();
    const echoed = c.echo(payload);
    await query('select pg_notify($1, $2)', [CHANGES_CHANNEL, payload]);
    await echoed;
    return result;
  };
  return {
    async connect() {
      if (down) throw unavailable();
      const client = await acquire();
      if (!patched.has(client)) {
        patched.add(client);
        const query = client.query.bind(client) as (...args: unknown[]) => Promise<unknown>;
        (client as unknown as { query: unknown }).query = (text: unknown, values?: unknown[]) => {
          // A lost connection answers nothing more: the `rollback` Kysely sends after a failed
          // statement would otherwise wait for its own timeout too.
          if (broken.has(client)) return Promise.reject(unavailable());
          const name = o.namedStatements && typeof text === 'string' ? preparedStatementNames.get(text) : undefined;
          const send = () => (name ? query({ name, text, values }) : values === undefined ? query(text) : query(text, values));
          let running: Promise<unknown>;
          if (changes === undefined || typeof text !== 'string') running = send();
          else running = tracked(client, text, send, query);
          return running.catch((err: unknown) => {
            // A statement timeout (57014) leaves the connection usable; the others do not.
            if (isDatabaseUnavailable(err) && (err as { code?: unknown }).code !== '57014') {
              broken.add(client);
              if (o.silenceIsDown || !CLIENT_TIMEOUT.test((err as Error).message)) markDown(err as Error);
            }
            throw err;
          });
        };
      }
      // pg-pool sets `release` anew at every checkout.
      const release = client.release.bind(client);
      client.release = (err?: Error | boolean) => release(err ?? (broken.has(client) ? true : undefined));
      return client;
    },
    end: () => {
      ended = true;
      clearTimeout(probing);
      return pool.end();
    },
  };
}

/** pg-pool's error for a wait in its queue (the pool is busy, the database may be fine). */
const QUEUE_TIMEOUT = /^timeout exceeded when trying to connect/;
/** node-postgres's client-side statement limit (query_timeout). */
const CLIENT_TIMEOUT = /^Query read timeout/;
const TRANSACTION_START = /^\s*(begin|start\s+transaction)\b/i;
const TRANSACTION_END = /^\s*(commit|rollback|end)\b(?!\s+to\b)/i;

/** Kysely's PostgreSQL dialect whose adapter carries the change feed of db/changes.ts (read caches). */
class ChangeFeedPostgresDialect extends PostgresDialect {
  readonly #changes: ChangeFeed | undefined;
  constructor(config: PostgresDialectConfig, changes: ChangeFeed | undefined) {
    super(config);
    this.#changes = changes;
  }
  override createAdapter(): DialectAdapter {
    return new ChangeFeedPostgresAdapter(this.#changes);
  }
}

/** While PostgreSQL counts as down, how often one connection tries whether it is back. */
const PROBE_INTERVAL_MS = 200;

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
