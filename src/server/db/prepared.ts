// Precompiled queries for the hot paths. Building and compiling a Kysely query costs tens of
// microseconds per call (AST, freeze, visitor); a request that makes four queries spends more in
// Kysely than in SQLite. `prepared()` builds the query once per dialect with placeholder values,
// then each call only substitutes the parameters and executes the compiled SQL:
//
//   const shopByUid = prepared((db, shopUid: string) => db.selectFrom('shops').selectAll().where('shop_uid', '=', shopUid));
//   const row = await shopByUid.first(db, 'shop_1');
//
// Rules for the builder: every argument must be used as a plain value (`where(col, '=', arg)`,
// `values({ col: arg })`, `set({ col: arg })`, `limit(arg)`), never in JavaScript logic, since it is
// a placeholder object at build time. The same SQL text then runs as a cached prepared statement:
// better-sqlite3 statements are cached by text in db/index.ts, and on PostgreSQL the text is
// registered here so the pool runs it as a named (server-side prepared) statement.
import { CompiledQuery, PostgresAdapter, SqliteAdapter, sql, type Compilable, type Kysely, type QueryResult, type RawBuilder, type Transaction } from 'kysely';
import type { BusyWaiter } from './busy.ts';
import type { ChangeFeed } from './changes.ts';
import type { Database } from './types.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** Placeholder of argument `index`, replaced at execution time. */
class Param {
  constructor(readonly index: number) {}
}

/** SQL texts of prepared queries → statement name (PostgreSQL named statements). */
export const preparedStatementNames = new Map<string, string>();

/** Gives the SQL text `sql` its statement name (once). */
function nameStatement(sql: string): void {
  if (!preparedStatementNames.has(sql)) preparedStatementNames.set(sql, `sc_${preparedStatementNames.size + 1}`);
}

/** What db/index.ts registers for a SQLite database: its cached statements and transaction state. */
export interface DirectSqlite {
  prepare(sql: string): { reader: boolean; all(params: unknown[]): unknown[]; run(params: unknown[]): { changes: number; lastInsertRowid: number | bigint } };
  inTransaction(): boolean;
  /** Grows when a statement that may write runs on this connection (db/index.ts statementCache). */
  writes(): number;
  /** SQLite's `data_version`: changes when another connection (another process) commits. */
  dataVersion(): number;
  /** Waits for another process's write lock off the event loop (db/busy.ts). */
  busy: BusyWaiter;
}

/**
 * The dialect adapter of a SQLite database opened by db/index.ts: Kysely's own, carrying the
 * better-sqlite3 connection (shared by the database's transactions) for the direct path below.
 */
export class DirectSqliteAdapter extends SqliteAdapter {
  constructor(readonly direct: DirectSqlite) {
    super();
  }
}

/** The dialect adapter of a PostgreSQL database opened by db/index.ts: Kysely's own, carrying the change feed. */
export class ChangeFeedPostgresAdapter extends PostgresAdapter {
  constructor(readonly changes: ChangeFeed | undefined) {
    super();
  }
}

/** The better-sqlite3 connection behind `db`, or undefined (PostgreSQL). */
function directOf(db: Db): DirectSqlite | undefined {
  const adapter = db.getExecutor().adapter;
  return adapter instanceof DirectSqliteAdapter ? adapter.direct : undefined;
}

type Builder<A extends unknown[], O> = (db: Kysely<Database>, ...args: A) => Compilable<O>;

export interface PreparedQuery<A extends unknown[], O> {
  /** Executes; the raw Kysely result (rows, numAffectedRows). */
  execute(db: Db, ...args: A): Promise<QueryResult<O>>;
  /** All rows. */
  all(db: Db, ...args: A): Promise<O[]>;
  /** The first row, or undefined. */
  first(db: Db, ...args: A): Promise<O | undefined>;
  /** Rows written (insert/update/delete). */
  run(db: Db, ...args: A): Promise<number>;
  /** The compiled SQL (tests, EXPLAIN). */
  sql(db: Db): string;
  /** All rows, synchronously: only inside `directRead` (SQLite). */
  allSync(read: DirectRead, ...args: A): O[];
}

/** Handle passed to a `directRead` callback. */
export interface DirectRead {
  readonly db: Db;
  readonly direct: DirectSqlite;
}

/**
 * Runs `fn` synchronously in one read transaction on SQLite (BEGIN … COMMIT around its queries,
 * which use `allSync`): one lock of the database for several queries instead of one per query,
 * and one consistent snapshot. Undefined when the database is not SQLite or a transaction of another
 * caller is open — the caller then takes its asynchronous path. Nothing else can run in between:
 * `fn` is synchronous.
 */
export function directRead<T>(db: Db, fn: (read: DirectRead) => T): T | undefined {
  const direct = directOf(db);
  if (direct === undefined) return undefined;
  if (db.isTransaction) return fn({ db, direct });
  if (direct.inTransaction()) return undefined;
  direct.prepare('begin').run([]);
  try {
    const result = fn({ db, direct });
    direct.prepare('commit').run([]);
    return result;
  } catch (err) {
    if (direct.inTransaction()) direct.prepare('rollback').run([]);
    throw err;
  }
}

/** Result of `ReadCache.read` when the cache cannot serve: not SQLite, or a transaction is open. */
export const NOT_CACHED = Symbol('not cached');

export interface ReadCache<V> {
  /**
   * The value of `key`: from the cache when nothing has been written to the database since it was
   * loaded, else `load` (run by directRead) and kept unless undefined. NOT_CACHED when the database
   * is not SQLite or a transaction is open: the caller then takes its asynchronous path.
   */
  read(db: Db, key: string, load: (read: DirectRead) => V | undefined): V | undefined | typeof NOT_CACHED;
  /**
   * PostgreSQL: the value of `key`, from the cache while the change version it was loaded at is
   * current (db/changes.ts: no write here, no notification of a write elsewhere), else `load`.
   * Without a live change feed (or in a transaction) every call loads.
   */
  readAsync(db: Db, key: string, load: () => Promise<V | undefined>): Promise<V | undefined>;
}

/**
 * Cache of hot reads (authentication, binding), one per database: the service that owns it
 * (compose.ts builds them once) reads only that database through it. Exact, not time-based.
 * SQLite: an entry is served only while this connection has run no write since it was loaded and
 * no other connection (the admin CLI, another process) has committed. PostgreSQL: only while no
 * write was sent here and no other instance's commit was notified (db/changes.ts), and only while
 * the LISTEN connection is up. So a revoked token is refused and a changed shop is seen on the very
 * next request. Any write empties it in effect, which is cheap: it pays off on read-mostly traffic.
 */
export function readCache<V>(maxEntries: number): ReadCache<V> {
  type Entry = { writes: number; dataVersion: number; value: V };
  const entries = new Map<string, Entry>();
  const pgEntries = new Map<string, { version: number; value: V }>();
  return {
    read(db, key, load) {
      const direct = directOf(db);
      if (direct === undefined || db.isTransaction || direct.inTransaction()) return NOT_CACHED;
      const writes = direct.writes();
      const dataVersion = direct.dataVersion();
      const hit = entries.get(key);
      if (hit !== undefined && hit.writes === writes && hit.dataVersion === dataVersion) return hit.value;
      const value = directRead(db, load);
      if (value === undefined) {
        entries.delete(key);
      } else {
        // Dropping everything when full keeps this O(1); entries are refilled on their next read.
        if (entries.size >= maxEntries && hit === undefined) entries.clear();
        entries.set(key, { writes, dataVersion, value });
      }
      return value;
    },
    async readAsync(db, key, load) {
      const adapter = db.getExecutor().adapter;
      const changes = adapter instanceof ChangeFeedPostgresAdapter ? adapter.changes : undefined;
      if (changes === undefined || db.isTransaction || !changes.live) return load();
      // The version before the read: a change committed while it runs makes the entry stale at once.
      const version = changes.version;
      const hit = pgEntries.get(key);
      if (hit !== undefined && hit.version === version) return hit.value;
      const value = await load();
      if (value === undefined) pgEntries.delete(key);
      else if (changes.live) {
        if (pgEntries.size >= maxEntries && hit === undefined) pgEntries.clear();
        pgEntries.set(key, { version, value });
      }
      return value;
    },
  };
}

/**
 * A LIMIT or OFFSET value as `cast(? as integer)`. A bare bound LIMIT makes SQLite (built with
 * STAT4, as better-sqlite3 is) re-prepare the statement on every execution, since the value may
 * change the plan: measured 23 µs per query instead of 3.4 µs. The cast hides it from the planner;
 * PostgreSQL reads it the same.
 */
export function boundInt(value: number): RawBuilder<number> {
  return sql<number>`cast(${value} as integer)`;
}

export function prepared<A extends unknown[], O>(build: Builder<A, O>): PreparedQuery<A, O> {
  const arity = build.length - 1;
  // One compiled form per dialect: the SQL text depends on the dialect's adapter class alone.
  const byDialect = new Map<Function, Compiled<O>>();
  return fromCompiler<A, O>((db) => {
    const dialect = db.getExecutor().adapter.constructor;
    let c = byDialect.get(dialect);
    if (!c) {
      const args = Array.from({ length: arity }, (_, i) => new Param(i)) as unknown as A;
      const compiled = build(db as Kysely<Database>, ...args).compile();
      nameStatement(compiled.sql);
      c = { compiled, slots: compiled.parameters.map((p) => (p instanceof Param ? p.index : -1)), fixed: [...compiled.parameters] };
      byDialect.set(dialect, c);
    }
    return c;
  });
}

/** A fixed SQL statement without parameters (savepoints and the like), run the same way. */
export function preparedRaw(sql: string): PreparedQuery<[], never> {
  const c: Compiled<never> = { compiled: CompiledQuery.raw(sql) as CompiledQuery<never>, slots: [], fixed: [] };
  return fromCompiler<[], never>(() => c);
}

/**
 * A PostgreSQL statement written as SQL text with `$1…$n` parameters, for the few a query builder
 * would only obscure (see shops.ts: onboard in one statement); run as a named statement like the rest.
 */
export function preparedPostgres<A extends unknown[], O>(text: string, arity: A['length']): PreparedQuery<A, O> {
  nameStatement(text);
  const slots = Array.from({ length: arity }, (_, i) => i);
  const c: Compiled<O> = { compiled: CompiledQuery.raw(text) as CompiledQuery<O>, slots, fixed: [] };
  return fromCompiler<A, O>(() => c);
}

interface Compiled<O> {
  compiled: CompiledQuery<O>;
  /** For each SQL parameter: the index of the argument it takes, or -1 for a fixed value. */
  slots: Array<number>;
  fixed: unknown[];
}

function fromCompiler<A extends unknown[], O>(compile: (db: Db) => Compiled<O>): PreparedQuery<A, O> {
  const bind = (db: Db, args: A) => {
    const { compiled, slots, fixed } = compile(db);
    const parameters = new Array<unknown>(slots.length);
    for (let i = 0; i < slots.length; i++) {
      const s = slots[i]!;
      parameters[i] = s === -1 ? fixed[i] : args[s];
    }
    return { compiled, parameters };
  };
  const execute = (db: Db, ...args: A): Promise<QueryResult<O>> => {
    const { compiled, parameters } = bind(db, args);
    // SQLite: run the statement right here. Kysely's path (connection mutex, executor, several
    // promise hops) costs more than the query. Safe because there is one connection, which runs each
    // statement synchronously to completion: inside a Kysely transaction we are the holder of that
    // connection; outside one, no transaction may be open on it (one would hold the mutex and this
    // statement would join it), and then it runs in autocommit exactly as after waiting for the mutex.
    const direct = directOf(db);
    if (direct !== undefined && (db.isTransaction || !direct.inTransaction())) {
      const run = (): QueryResult<O> => {
        const stmt = direct.prepare(compiled.sql);
        if (stmt.reader) return { rows: stmt.all(parameters) as O[] };
        const { changes, lastInsertRowid } = stmt.run(parameters);
        return { rows: [], numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid) };
      };
      try {
        // In a transaction we hold the write lock (`begin immediate`); outside one a busy
        // statement is safe to retry, and is, off the event loop.
        return Promise.resolve(db.isTransaction ? run() : direct.busy.run(run));
      } catch (err) {
        return Promise.reject(err);
      }
    }
    return db.executeQuery<O>({ sql: compiled.sql, parameters, query: compiled.query, queryId: compiled.queryId });
  };
  return {
    execute,
    all: async (db, ...args) => (await execute(db, ...args)).rows,
    first: async (db, ...args) => (await execute(db, ...args)).rows[0],
    run: async (db, ...args) => Number((await execute(db, ...args)).numAffectedRows ?? 0n),
    sql: (db) => compile(db).compiled.sql,
    allSync: (read, ...args) => {
      const { compiled, parameters } = bind(read.db, args);
      return read.direct.prepare(compiled.sql).all(parameters) as O[];
    },
  };
}
