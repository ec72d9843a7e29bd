// Real server processes and a bounded mixed load against them, for the fault and several-instances
// tests: every answer is counted by status, with how long it took, and every onboard answered 200
// is an acknowledged write that must still be there afterwards.
import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './net.ts';

const ROOT = resolve(fileURLToPath(import.meta.url), '../../..');
export const ADMIN = 'load-admin-token-0123456789abcdef';

export interface ServerProcess {
  port: number;
  base: string;
  child: ChildProcess;
  /** stderr and stdout so far (the log). */
  output(): string;
  /** Resolves with the exit code (or signal) when the process ends. */
  exited: Promise<number | string | null>;
  stop(): Promise<void>;
}

/** `node src/server/main.ts` with `env` (over test defaults) on a free port; resolves once /healthz answers. */
export async function startServer(env: Record<string, string>): Promise<ServerProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), join(ROOT, 'src/server/main.ts')], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'warn',
      NODE_ENV: 'test',
      SHOP_CHAT_ADMIN_TOKEN: ADMIN,
      SHOP_CHAT_RATE_LIMIT: '100000000',
      SHOP_CHAT_RATE_LIMIT_IP: '100000000',
      SHOP_CHAT_REFRESH_SWEEP: 'off',
      SHOP_CHAT_DEMO_SHOP: 'off',
      SHOP_CHAT_SECRET_KEY: Buffer.alloc(32, 7).toString('base64'),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += String(d)));
  child.stderr!.on('data', (d) => (out += String(d)));
  const exited = new Promise<number | string | null>((r) => child.once('exit', (code, signal) => r(code ?? signal)));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited at start: ${out}`);
    try {
      if ((await fetch(`${base}/healthz`)).status === 200) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) throw new Error(`server did not start: ${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    port,
    base,
    child,
    output: () => out,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(t);
      }
    },
  };
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
