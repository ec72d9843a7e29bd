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

/** True for errors after which a PostgreSQL transaction may simply be retried. */
export function isRetryableTxError(err: unknown): boolean {
  const e = err as { code?: unknown } | null;
  return !!e && (e.code === '40001' || e.code === '40P01' || e.code === '23505' || e.code === 'SQLITE_BUSY');
}
