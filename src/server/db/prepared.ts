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
import type { Compilable, CompiledQuery, Kysely, QueryResult, Transaction } from 'kysely';
import type { Database } from './types.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** Placeholder of argument `index`, replaced at execution time. */
class Param {
  constructor(readonly index: number) {}
}

/** SQL texts of prepared queries → statement name (PostgreSQL named statements). */
export const preparedStatementNames = new Map<string, string>();

/** What db/index.ts registers for a SQLite database: its cached statements and transaction state. */
export interface DirectSqlite {
  prepare(sql: string): { reader: boolean; all(params: unknown[]): unknown[]; run(params: unknown[]): { changes: number; lastInsertRowid: number | bigint } };
  inTransaction(): boolean;
}

/** Root Kysely instance (SQLite only) → its better-sqlite3 connection. */
export const directSqlite = new WeakMap<object, DirectSqlite>();

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
}

export function prepared<A extends unknown[], O>(build: Builder<A, O>): PreparedQuery<A, O> {
  const arity = build.length - 1;
  // One compiled form per dialect adapter (the root Kysely and its transactions share it).
  const byAdapter = new WeakMap<object, { compiled: CompiledQuery<O>; slots: Array<number | -1>; fixed: unknown[] }>();
  const compile = (db: Db) => {
    const adapter = db.getExecutor().adapter;
    let c = byAdapter.get(adapter);
    if (!c) {
      const args = Array.from({ length: arity }, (_, i) => new Param(i)) as unknown as A;
      const compiled = build(db as Kysely<Database>, ...args).compile();
      const slots = compiled.parameters.map((p) => (p instanceof Param ? p.index : -1));
      if (!preparedStatementNames.has(compiled.sql)) preparedStatementNames.set(compiled.sql, `sc_${preparedStatementNames.size + 1}`);
      c = { compiled, slots, fixed: [...compiled.parameters] };
      byAdapter.set(adapter, c);
    }
    return c;
  };
  const execute = (db: Db, ...args: A): Promise<QueryResult<O>> => {
    const { compiled, slots, fixed } = compile(db);
    const parameters = new Array<unknown>(slots.length);
    for (let i = 0; i < slots.length; i++) {
      const s = slots[i]!;
      parameters[i] = s === -1 ? fixed[i] : args[s];
    }
    // SQLite, outside a transaction: run the statement right here. Kysely's path (connection mutex,
    // executor, several promise hops) costs more than the query; skipping it is safe because there is
    // a single connection that runs each statement synchronously to completion, and no transaction
    // is open on it (one would hold the mutex, and this query would join it): the statement runs in
    // autocommit exactly as it would after waiting for the mutex. In a transaction, Kysely's path.
    const direct = directSqlite.get(db);
    if (direct !== undefined && !direct.inTransaction()) {
      try {
        const stmt = direct.prepare(compiled.sql);
        if (stmt.reader) return Promise.resolve({ rows: stmt.all(parameters) as O[] });
        const { changes, lastInsertRowid } = stmt.run(parameters);
        return Promise.resolve({ rows: [], numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid) });
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
  };
}
