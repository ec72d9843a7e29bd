// The upstream Bytedesk's shop open API (seed 000), called with this server's credential.
//
// Bytedesk answers most business errors with HTTP 200 and the code in the body
// (`{ message, code: 500, data: false }`) and only 400/401/403/409 with real statuses, so the body's
// `code` decides, whatever the HTTP status. Every answer is parsed with the seed's schemas
// (src/shared/api). What reaches our callers is always our envelope: the upstream's 4xx with the
// same status, a failed upstream (its business errors, 5xx, an unreachable or malformed answer) as
// 502, a slow one as 504. Never a hang: every call has a timeout.
import { z } from 'zod';
import { ApiError, type ApiErrorCode } from '../../errors.ts';
import { clipError } from '../../store/repo.ts';

/** Base of the shop open API below the upstream URL. */
export const UPSTREAM_OPEN_API = '/api/v1/shop/open';

/** Statuses an upstream error keeps when it reaches our callers; any other upstream error is a 502. */
const PASSED_THROUGH = new Set<number>([400, 403, 404, 409, 429]);

const headSchema = z.object({ message: z.string(), code: z.number().int(), data: z.unknown() });

export interface UpstreamRequest {
  method: 'GET' | 'POST';
  /** Below `/api/v1/shop/open`, e.g. `/binding`. */
  path: string;
  query?: Record<string, string>;
  body?: unknown;
  /**
   * Sent again once if the connection drops before any answer. A kept-alive connection that the
   * server closes just as a request goes out fails that way, the request unread. Only for calls
   * whose repeat does nothing more: reads, and seed 000's onboard / update / vip-level / seat
   * update, which set what they are given. Not seat create or delete, nor token/refresh.
   */
  idempotent?: boolean;
}

/** An upstream answer that is not a success, with the status our caller gets. */
export class UpstreamError extends ApiError {
  override name = 'UpstreamError';
  constructor(
    code: ApiErrorCode,
    message: string,
    /** `envelope`: upstream answered an error envelope (a refusal); `transport`: no usable answer. */
    readonly kind: 'envelope' | 'transport',
    /** The code in the upstream body (envelope errors), or the HTTP status. */
    readonly upstreamCode: number | null,
  ) {
    super(code, message);
  }
}

/** How to call the upstream: fetch, the timeout, and where the bearer comes from. */
export interface UpstreamTransport {
  baseUrl: string;
  timeoutMs: number;
  fetch?: typeof fetch;
}

/**
 * One HTTP exchange with the upstream: the body parsed as an envelope and its `data` with `schema`.
 * `bearer` null sends no Authorization (token/refresh: the refresh token is the credential).
 */
export async function exchange<T extends z.ZodType>(
  t: UpstreamTransport,
  req: UpstreamRequest,
  schema: T,
  bearer: string | null,
): Promise<z.infer<T>> {
  const url = new URL(`${t.baseUrl}${UPSTREAM_OPEN_API}${req.path}`);
  for (const [k, v] of Object.entries(req.query ?? {})) url.searchParams.set(k, v);
  const headers: Record<string, string> = { accept: 'application/json' };
  if (bearer !== null) headers.authorization = `Bearer ${bearer}`;
  if (req.body !== undefined) headers['content-type'] = 'application/json';
  const where = `${req.method} ${req.path}`;
  let status!: number;
  let text!: string;
  let retryAfter: string | null = null;
  // The timeout covers the whole exchange: the body, and a repeat after a dropped connection.
  const signal = AbortSignal.timeout(t.timeoutMs);
  for (let attempt = 1; ; attempt++) {
    try {
      const res = await (t.fetch ?? fetch)(url, {
        method: req.method,
        headers,
        ...(req.body !== undefined ? { body: JSON.stringify(req.body) } : {}),
        signal,
        redirect: 'error',
      });
      status = res.status;
      retryAfter = res.headers.get('retry-after');
      text = await res.text();
      break;
    } catch (err) {
      const e = err as Error;
      if (e.name === 'TimeoutError' || e.name === 'AbortError') {
        throw new UpstreamError(504, `upstream did not answer ${where} within ${t.timeoutMs} ms`, 'transport', null);
      }
      const cause = causeOf(e);
      if (attempt === 1 && (req.idempotent ?? req.method === 'GET') && DROPPED.has(cause)) continue;
      throw new UpstreamError(502, `upstream unreachable (${where}): ${clipError(cause)}`, 'transport', null);
    }
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new UpstreamError(502, `upstream answered ${where} with HTTP ${status} and no JSON`, 'transport', status);
  }
  const head = headSchema.safeParse(body);
  if (!head.success) {
    throw new UpstreamError(502, `upstream answered ${where} with HTTP ${status} and no {message, code, data} envelope`, 'transport', status);
  }
  const { code, message, data } = head.data;
  if (code !== 200) {
    const passed = PASSED_THROUGH.has(code) ? (code as ApiErrorCode) : 502;
    const err = new UpstreamError(passed, passed === 502 ? `upstream failed: ${clipError(message)} (code ${code})` : clipError(message), 'envelope', code);
    // Upstream's rate limit says when to come back: our caller is told the same (in seconds only).
    if (passed === 429 && retryAfter !== null && /^\d{1,6}$/.test(retryAfter.trim())) err.headers['retry-after'] = retryAfter.trim();
    throw err;
  }
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.join('.') || 'data';
    throw new UpstreamError(502, `upstream answered ${where} with an unexpected shape: ${field}: ${issue?.message ?? 'invalid'}`, 'transport', status);
  }
  return parsed.data;
}

/** undici's causes for a connection that closed before an answer came. */
const DROPPED = new Set(['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE']);

/** The innermost cause of a fetch failure (`ECONNREFUSED`, `other side closed`, …). */
function causeOf(e: Error): string {
  let c: unknown = e;
  while (c instanceof Error && c.cause instanceof Error) c = c.cause;
  const code = (c as { code?: unknown }).code;
  return typeof code === 'string' ? code : (c as Error).message;
}

/** Whether an upstream error means our credential was refused (HTTP or body 401). */
export const isUnauthorized = (err: unknown): err is UpstreamError =>
  err instanceof UpstreamError && err.upstreamCode === 401;

/**
 * Upstream answered, and without what was asked: its 404, or Bytedesk's business error (HTTP 200,
 * code 500), which is how it says "no such shop". Not an outage, and not a refused credential.
 */
export const isRefusal = (err: unknown): err is UpstreamError => err instanceof UpstreamError && err.kind === 'envelope' && err.upstreamCode !== 401;
