export type ApiErrorCode = 400 | 401 | 403 | 404 | 409 | 413 | 429 | 500 | 502 | 503 | 504;

/** An error answered as `{ message, code, data }` with HTTP status `code` by the error handler. */
export class ApiError extends Error {
  override name = 'ApiError';
  readonly code: ApiErrorCode;
  readonly data: unknown;
  /** Extra response headers (e.g. `retry-after`). */
  headers: Record<string, string> = {};
  constructor(code: ApiErrorCode, message: string, data: unknown = null) {
    super(message);
    this.code = code;
    this.data = data;
  }
  get statusCode(): number {
    return this.code;
  }
}

export const badRequest = (message: string) => new ApiError(400, message);
export const unauthorized = (message = 'Unauthorized') => new ApiError(401, message);
export const forbidden = (message = 'Forbidden') => new ApiError(403, message);
export const notFound = (message = 'Not found') => new ApiError(404, message);
export const conflict = (message: string) => new ApiError(409, message);

/** True for a unique-constraint violation on SQLite or PostgreSQL. */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: unknown } | null;
  return !!e && (e.code === '23505' || e.code === 'SQLITE_CONSTRAINT_UNIQUE' || e.code === 'SQLITE_CONSTRAINT_PRIMARYKEY');
}

/**
 * True for errors after which a transaction may simply be retried: PostgreSQL serialization
 * failures, deadlocks and unique races, and SQLite's stale snapshot (a read transaction that
 * another connection wrote past before it could upgrade to a write). A plain SQLITE_BUSY is not
 * here: db/busy.ts already waited for the lock up to its deadline.
 */
export function isRetryableTxError(err: unknown): boolean {
  const e = err as { code?: unknown } | null;
  return !!e && (e.code === '40001' || e.code === '40P01' || e.code === '23505' || e.code === 'SQLITE_BUSY_SNAPSHOT');
}

/** Seconds a client is told to wait (`Retry-After`) when the database is unreachable or busy. */
export const DATABASE_RETRY_AFTER_SECONDS = 1;

// Codes meaning "the database cannot answer right now", not "this request is wrong": sockets that
// fail or are refused, PostgreSQL's connection-exception class (08…), shutdown and cancel (57P0x,
// 57014: the statement timeout), too many connections (53300), and SQLite's busy/locked family
// (another process holds the write lock past our deadline).
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  '53300',
  '57014',
  '57P01',
  '57P02',
  '57P03',
  'SQLITE_BUSY',
  'SQLITE_BUSY_SNAPSHOT',
  'SQLITE_BUSY_RECOVERY',
  'SQLITE_BUSY_TIMEOUT',
  'SQLITE_LOCKED',
]);
// node-postgres and pg-pool report a lost or timed-out connection by message only.
const UNAVAILABLE_MESSAGE =
  /^(Connection terminated|timeout exceeded when trying to connect|Query read timeout|Client has encountered a connection error|Client was closed and is not queryable|Connection timeout|connect ECONNREFUSED|database pool acquire timeout)/;

/** True when `err` says the database is unreachable, timed out or busy (answered 503, not 500). */
export function isDatabaseUnavailable(err: unknown): boolean {
  if (err === null || typeof err !== 'object') return false;
  if (err instanceof ApiError) return err.code === 503;
  const e = err as { code?: unknown; message?: unknown; errors?: unknown };
  if (typeof e.code === 'string' && (UNAVAILABLE_CODES.has(e.code) || e.code.startsWith('08'))) return true;
  if (typeof e.message === 'string' && UNAVAILABLE_MESSAGE.test(e.message)) return true;
  // Node's happy-eyeballs connect (localhost → ::1 and 127.0.0.1) fails with an AggregateError.
  return Array.isArray(e.errors) && e.errors.length > 0 && e.errors.every(isDatabaseUnavailable);
}

/** The 503 answered for a database that is unreachable, timed out or busy, with `Retry-After`. */
export function databaseUnavailable(message = 'database unavailable, retry later'): ApiError {
  const err = new ApiError(503, message);
  err.headers['retry-after'] = String(DATABASE_RETRY_AFTER_SECONDS);
  return err;
}
