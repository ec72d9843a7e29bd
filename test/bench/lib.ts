// Shared helpers of the benchmarks: statistics, tables, child processes, ports, memory.
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { spawnUntilReady } from '../helpers/server-process.ts';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface BenchOptions {
  quick: boolean;
  /** Runs per figure (median taken). */
  runs: number;
  /** autocannon duration per run, seconds. */
  duration: number;
}

/** One check: `hard` checks fail the run (machine-independent); goals are only reported. */
export interface Check {
  section: string;
  name: string;
  value: number | string | boolean | null;
  goal: string;
  ok: boolean;
  hard: boolean;
  note?: string;
}

export function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function percentile(xs: number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

export const fmt = (n: number | null | undefined, digits = 1): string =>
  n === null || n === undefined || Number.isNaN(n) ? '-' : n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });

/** Prints a plain-text table. */
export function table(title: string, head: string[], rows: (string | number)[][]): void {
  const cells = [head, ...rows.map((r) => r.map((c) => String(c)))];
  const widths = head.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(`\n${title}`);
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of cells.slice(1)) console.log(line(r));
}

export function cpuInfo() {
  const c = cpus();
  return { count: c.length, model: c[0]?.model ?? 'unknown' };
}

export { freePort } from '../helpers/net.ts';

/** Resident set size of a process, bytes (Linux /proc), or null. */
export function rssOf(pid: number): number | null {
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/**
 * Node arguments of the server as `npm start` runs it: the compiled build/server/main.js (built
 * first when missing or older than the sources), no TypeScript loader.
 */
export async function serverArgs(): Promise<string[]> {
  const { SERVER_ENTRY, buildServer, serverIsStale } = await import('../../scripts/build-server.mjs');
  if (serverIsStale(ROOT)) await buildServer(ROOT);
  return [SERVER_ENTRY];
}

/** Node arguments of the benchmark baseline: a bare Fastify route returning `{}`, plain JavaScript too. */
export const BASELINE_ARGS = ['test/bench/baseline-child.mjs'];

export interface Child {
  proc: ChildProcess;
  port: number;
  url: string;
  log: () => string;
  stop: () => Promise<void>;
}

/** Spawns `node [args]` with this process's environment and `env`, waits until `GET url+readyPath` answers 200. */
export async function startChild(args: string[], env: Record<string, string>, port: number, readyPath = '/healthz', timeoutMs = 60_000): Promise<Child> {
  const p = await spawnUntilReady(args, { ...process.env, ...env }, { port, readyPath, timeoutMs });
  return { proc: p.child, port, url: p.base, log: p.output, stop: p.stop };
}

export function parseArgs(argv: string[]): { quick: boolean; only: string[] } {
  const quick = argv.includes('--quick') || process.env.BENCH_QUICK === '1';
  const only: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--only' && argv[i + 1]) only.push(...argv[++i]!.split(','));
    else if (argv[i]!.startsWith('--only=')) only.push(...argv[i]!.slice(7).split(','));
  }
  return { quick, only };
}
