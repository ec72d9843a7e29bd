// A real server process (src/server/main.ts through tsx) on a free port: the upstream of a server
// in upstream mode, or one instance of several. Ready once /healthz answers.
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

export async function startServerProcess(env: Record<string, string>, cwd = ROOT): Promise<ServerProcess> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), join(ROOT, 'src/server/main.ts')], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', HOST: '127.0.0.1', PORT: String(port), SHOP_CHAT_DEMO_SHOP: 'off', SHOP_CHAT_REFRESH_SWEEP: 'off', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | string | null>((r) => child.once('exit', (code, signal) => r(code ?? signal)));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}:\n${out}`);
    const up = await fetch(`${base}/healthz`).then((r) => r.ok, () => false);
    if (up) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`server did not start within 60 s:\n${out}`);
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
