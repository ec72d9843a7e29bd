// The adapter interface every store platform implements, the error classification, and the one
// HTTP helper all upstream calls go through (timeout, no URL or body in any error or log).
import type { z } from 'zod';
import type { StoreAuthType, StorePlatform } from '../../../shared/store/api.ts';

export type FailureKind = 'permanent' | 'transient';

/**
 * An upstream failure. `permanent`: retrying cannot help (invalid or expired refresh token,
 * revoked authorisation, rejected credentials) — the connection needs a new authorisation.
 * `transient`: timeouts, network errors, 5xx, 429, malformed bodies — retry with backoff.
 * The message is safe to log: it never holds a URL, a token, a secret or a code.
 */
export class PlatformError extends Error {
  override name = 'PlatformError';
  constructor(
    readonly kind: FailureKind,
    readonly platform: StorePlatform,
    readonly op: string,
    message: string,
    readonly status?: number,
    readonly upstreamCode?: string | number,
  ) {
    super(`${platform} ${op}: ${message}`);
  }
}

export interface TokenSet {
  accessToken: string;
  /** null: the platform returned none (keep the previous one, if any). */
  refreshToken: string | null;
  /** Epoch ms; null only for tokens that do not expire (a private-app KEY token). */
  expiresAt: number | null;
  refreshExpiresAt: number | null;
  sellerId: string | null;
  sellerName: string | null;
  scope: string | null;
}

export interface PlatformCredentials {
  token?: string | undefined;
  apiKey?: string | undefined;
  apiSecret?: string | undefined;
}

export interface RefreshInput {
  sellerId: string | null;
  authType: StoreAuthType;
  refreshToken: string | null;
  credentials: PlatformCredentials | null;
}

/** Product data a card may show: public fields only. */
export interface PlatformGoods {
  id: string;
  title: string;
  image?: string | undefined;
  price?: number | undefined;
  url?: string | undefined;
  onShelf?: boolean | undefined;
}

export interface PlatformAdapter {
  readonly platform: StorePlatform;
  /** Refresh when the access token expires within this margin. */
  readonly refreshMarginMs: number;
  readonly supports: { readonly URL: boolean; readonly KEY: boolean };
  /** Whether the server has the client id/secret this platform's URL flow needs. */
  configured(): boolean;
  /** A message for 400 when `sellerId` is missing or malformed for this platform, else null. */
  checkSellerId(sellerId: string | undefined, authType: StoreAuthType): string | null;
  authUrl(input: { state: string; sellerId: string | null }): string;
  exchangeCode(input: { code: string; sellerId: string | null }): Promise<TokenSet>;
  validateKey(input: { sellerId: string | null; authInfo: PlatformCredentials }): Promise<TokenSet>;
  canRefresh(input: RefreshInput): boolean;
  refresh(input: RefreshInput): Promise<TokenSet>;
  /**
   * The store's catalogue, page by page: `spend()` is asked before each upstream call and stops the
   * scan when it answers false (the per-shop budget). `complete` is false when the scan stopped
   * before the last page, so an id missing from `goods` may still exist.
   */
  listGoods?(input: { accessToken: string; sellerId: string | null; spend: () => boolean }): Promise<{ goods: PlatformGoods[]; complete: boolean }>;
}

export interface AdapterOptions {
  timeoutMs: number;
  fetch?: typeof fetch | undefined;
  now?: (() => number) | undefined;
}

/** Expiry to assume when a platform omits it: soon enough that the next use refreshes. */
export function soon(now: number, marginMs: number): number {
  return now + marginMs + 5 * 60_000;
}

const clip = (s: string, n = 160) => (s.length > n ? `${s.slice(0, n)}…` : s);

/** Removes every secret value from an upstream-provided message before it is kept or logged. */
export function scrub(message: string, secrets: readonly (string | null | undefined)[]): string {
  let out = message;
  for (const s of secrets) if (s && s.length >= 4) out = out.split(s).join('[redacted]');
  return clip(out.replace(/[\r\n]+/g, ' '));
}

export interface UpstreamResponse {
  status: number;
  body: unknown;
}

/**
 * One upstream call. Never throws with the URL (FKW carries client_secret in the query string).
 * Network errors, timeouts, 5xx, 408, 429 and unparsable bodies on them are transient.
 */
export async function upstream(
  platform: StorePlatform,
  op: string,
  opts: AdapterOptions,
  req: { url: string; method: 'GET' | 'POST'; json?: unknown; headers?: Record<string, string> },
): Promise<UpstreamResponse> {
  const doFetch = opts.fetch ?? fetch;
  let res: Response;
  try {
    res = await doFetch(req.url, {
      method: req.method,
      headers: {
        accept: 'application/json',
        ...(req.json !== undefined ? { 'content-type': 'application/json' } : {}),
        ...req.headers,
      },
      body: req.json !== undefined ? JSON.stringify(req.json) : null,
      signal: AbortSignal.timeout(opts.timeoutMs),
      redirect: 'error',
    });
  } catch (err) {
    const e = err as Error;
    const timedOut = e.name === 'TimeoutError' || e.name === 'AbortError';
    throw new PlatformError(
      'transient',
      platform,
      op,
      timedOut ? `timed out after ${opts.timeoutMs} ms` : `network error (${(e.cause as Error | undefined)?.message ?? e.name})`,
    );
  }
  let text: string;
  try {
    text = await res.text();
  } catch {
    throw new PlatformError('transient', platform, op, `body not received (HTTP ${res.status})`, res.status);
  }
  let body: unknown;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (body === undefined && (res.status < 400 || isTransientStatus(res.status))) {
    throw new PlatformError('transient', platform, op, `HTTP ${res.status} without a JSON body`, res.status);
  }
  return { status: res.status, body };
}

export function isTransientStatus(status: number): boolean {
  return status >= 500 || status === 408 || status === 429;
}

/** Parses an upstream body with its zod schema; a mismatch is transient (a proxy page, a partial outage). */
export function parseWire<S extends z.ZodType>(
  platform: StorePlatform,
  op: string,
  schema: S,
  res: UpstreamResponse,
): z.output<S> {
  const r = schema.safeParse(res.body);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  throw new PlatformError(
    'transient',
    platform,
    op,
    `unexpected response (HTTP ${res.status}; ${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid'})`,
    res.status,
  );
}

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
