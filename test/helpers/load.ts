// Real server processes and a bounded mixed load against them, for the fault and several-instances
// tests: every answer is counted by status, with how long it took, and every onboard answered 200
// is an acknowledged write that must still be there afterwards.
import { QUIET_SERVER_ENV, startServerProcess, type ServerProcess } from './server-process.ts';

export type { ServerProcess };

export const ADMIN = 'load-admin-token-0123456789abcdef';

/** `node src/server/main.ts` with `env` over QUIET_SERVER_ENV and the load admin token; ready once /healthz answers. */
export function startServer(env: Record<string, string>): Promise<ServerProcess> {
  return startServerProcess({ ...QUIET_SERVER_ENV, SHOP_CHAT_ADMIN_TOKEN: ADMIN, ...env });
}

export interface Answer {
  kind: 'onboard' | 'binding';
  /** The instance asked. */
  base: string;
  /** HTTP status, or 0 when no answer came (connection refused, reset, 10 s). */
  status: number;
  /** When the request was sent (ms since the load started) and how long it took. */
  at: number;
  ms: number;
  retryAfter: string | null;
  envelopeCode: unknown;
}

export interface LoadResult {
  answers: Answer[];
  /** shopUids whose onboard was answered 200. */
  acknowledged: string[];
}

export interface LoadOptions {
  /** Base URLs: each worker picks the next one in turn. */
  bases: () => string[];
  durationMs: number;
  concurrency: number;
  /** Prefix of the shopUids onboarded. */
  prefix: string;
  /** Set to stop early. */
  signal?: AbortSignal;
  /** Extra headers of each request (e.g. a client address for X-Forwarded-For). */
  headers?: () => Record<string, string>;
}

/** Mixed load: half onboards of new shops, half binding GETs of shops acknowledged so far. */
export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  const started = performance.now();
  const answers: Answer[] = [];
  const acknowledged: string[] = [];
  let n = 0;
  const baseHeaders = { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' };
  const worker = async (w: number) => {
    for (let i = 0; performance.now() - started < o.durationMs && !o.signal?.aborted; i++) {
      const bases = o.bases();
      const base = bases[(w + i) % bases.length]!;
      const onboard = i % 2 === 0 || acknowledged.length === 0;
      const shopUid = onboard ? `${o.prefix}_${w}_${n++}` : acknowledged[Math.floor(Math.random() * acknowledged.length)]!;
      const at = performance.now() - started;
      let status = 0;
      let retryAfter: string | null = null;
      let envelopeCode: unknown;
      const headers = { ...baseHeaders, ...o.headers?.() };
      try {
        const res = await fetch(
          onboard ? `${base}/api/v1/shop/open/onboard` : `${base}/api/v1/shop/open/binding?shopUid=${shopUid}`,
          onboard
            ? { method: 'POST', headers, body: JSON.stringify({ mobile: `139${String(n).padStart(8, '0')}`, shopUid }), signal: AbortSignal.timeout(10_000) }
            : { headers, signal: AbortSignal.timeout(10_000) },
        );
        status = res.status;
        retryAfter = res.headers.get('retry-after');
        envelopeCode = ((await res.json().catch(() => ({}))) as { code?: unknown }).code;
        if (onboard && status === 200) acknowledged.push(shopUid);
      } catch {
        status = 0;
        // No answer at all: do not spin on a dead address.
        await new Promise((r) => setTimeout(r, 20));
      }
      answers.push({ kind: onboard ? 'onboard' : 'binding', base, status, at, ms: performance.now() - started - at, retryAfter, envelopeCode });
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, (_, w) => worker(w)));
  return { answers, acknowledged };
}

/** Counts of statuses, e.g. `{ 200: 812, 503: 40 }`. */
export function statusCounts(answers: Answer[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const a of answers) counts[a.status] = (counts[a.status] ?? 0) + 1;
  return counts;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
