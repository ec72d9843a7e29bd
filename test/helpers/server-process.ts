// A real server process (src/server/main.ts through tsx) on a free port: the upstream of a server
// in upstream mode, or one instance of several. Ready once /healthz answers. `spawnUntilReady` is
// the same for any node program (the benchmarks' compiled server and bare baseline).
import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './net.ts';

const ROOT = resolve(fileURLToPath(import.meta.url), '../../..');

export interface ServerProcess {
  port: number;
  base: string;
  child: ChildProcess;
  /** stdout and stderr so far (the server's log lines). */
  output(): string;
  /** Resolves with the exit code (or signal) when the process ends. */
  exited: Promise<number | string | null>;
  /** SIGTERM, then SIGKILL after 10 s. */
  stop(): Promise<void>;
}

/**
 * What a load test or a benchmark runs a server with: warnings only, rate limits out of the way,
 * no refresh sweep, a fixed vault key. The caller adds DATABASE_URL and its admin token.
 */
export const QUIET_SERVER_ENV: Readonly<Record<string, string>> = {
  LOG_LEVEL: 'warn',
  NODE_ENV: 'test',
  SHOP_CHAT_RATE_LIMIT: '100000000',
  SHOP_CHAT_RATE_LIMIT_IP: '100000000',
  SHOP_CHAT_REFRESH_SWEEP: 'off',
  SHOP_CHAT_SECRET_KEY: Buffer.alloc(32, 7).toString('base64'),
};

export interface SpawnOptions {
  cwd?: string;
  /** Default: a free one. PORT and HOST=127.0.0.1 are set for the child. */
  port?: number;
  /** Answers 200 once the child is up (default /healthz). */
  readyPath?: string;
  timeoutMs?: number;
}

/** `node [args]` with exactly `env` (plus PORT and HOST); resolves once `readyPath` answers 200. */
export async function spawnUntilReady(args: string[], env: Record<string, string | undefined>, o: SpawnOptions = {}): Promise<ServerProcess> {
  const port = o.port ?? (await freePort());
  const timeoutMs = o.timeoutMs ?? 60_000;
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: o.cwd ?? ROOT,
    env: { ...env, HOST: '127.0.0.1', PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | string | null>((r) => child.once('exit', (code, signal) => r(code ?? signal)));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`process exited with ${child.exitCode} before it was ready:\n${out.slice(-4000)}`);
    const up = await fetch(base + (o.readyPath ?? '/healthz')).then((r) => r.ok, () => false);
    if (up) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`process not ready within ${timeoutMs} ms:\n${out.slice(-4000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    port,
    base,
    child,
    output: () => out,
    exited,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(t);
    },
  };
}

/** The server from its sources, with a clean environment: PATH, HOME, no demo shop, no sweep, then `env`. */
export function startServerProcess(env: Record<string, string>, cwd = ROOT): Promise<ServerProcess> {
  return spawnUntilReady(
    ['--import', import.meta.resolve('tsx'), join(ROOT, 'src/server/main.ts')],
    { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', SHOP_CHAT_DEMO_SHOP: 'off', SHOP_CHAT_REFRESH_SWEEP: 'off', ...env },
    { cwd },
  );
}
