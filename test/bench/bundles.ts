// Section 1: gzip and brotli size of every file in dist/ against the budgets of DESIGN.md / issue 6.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { BUDGETS_KB } from '../../scripts/size.mjs';
import { ROOT, fmt, table, type Check } from './lib.ts';

const KB = 1024;
/** Hard budgets (fail: those of `npm run size`) and goals (reported, issue 6), gzip bytes. */
export const BUDGETS: Record<string, { hard: number; goal: number }> = {
  'shop-chat.iife.js': { hard: BUDGETS_KB['shop-chat.iife.js']! * KB, goal: 12 * KB },
  'shop-chat-url.js': { hard: BUDGETS_KB['shop-chat-url.js']! * KB, goal: 2 * KB },
};

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

export function ensureBuilt(): void {
  const dist = join(ROOT, 'dist');
  const needed = ['shop-chat.js', 'shop-chat.iife.js', 'shop-chat-url.js'];
  if (needed.every((f) => existsSync(join(dist, f)))) return;
  console.log('dist/ is missing or incomplete: running `npm run build`');
  execFileSync(process.execPath, [join(ROOT, 'scripts/build.mjs')], { stdio: 'inherit', cwd: ROOT });
}

export interface BundleRow {
  file: string;
  raw: number;
  gzip: number;
  brotli: number;
}

export async function benchBundles(checks: Check[]): Promise<{ files: BundleRow[] }> {
  ensureBuilt();
  const dist = join(ROOT, 'dist');
  const files = walk(dist)
    .filter((p) => !p.endsWith('.build-stamp'))
    .sort()
    .map((p): BundleRow => {
      const buf = readFileSync(p);
      return {
        file: relative(dist, p),
        raw: buf.length,
        gzip: gzipSync(buf, { level: 9 }).length,
        brotli: brotliCompressSync(buf, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: buf.length } }).length,
      };
    });
  const shown = files.filter((f) => !f.file.startsWith('types/'));
  const types = files.filter((f) => f.file.startsWith('types/'));
  const rows = shown.map((f) => {
    const b = BUDGETS[f.file];
    return [
      f.file,
      fmt(f.raw / KB, 2),
      fmt(f.gzip / KB, 2),
      fmt(f.brotli / KB, 2),
      b ? `${b.goal / KB} KB` : '-',
      b ? `${b.hard / KB} KB` : '-',
      b ? (f.gzip > b.hard ? 'OVER BUDGET' : f.gzip > b.goal ? 'over goal' : 'ok') : '',
    ];
  });
  if (types.length) {
    rows.push([
      `types/ (${types.length} files)`,
      fmt(types.reduce((n, f) => n + f.raw, 0) / KB, 2),
      fmt(types.reduce((n, f) => n + f.gzip, 0) / KB, 2),
      fmt(types.reduce((n, f) => n + f.brotli, 0) / KB, 2),
      '-',
      '-',
      '',
    ]);
  }
  table('1. Bundles (dist/)', ['file', 'raw KB', 'gzip KB', 'brotli KB', 'goal (gz)', 'budget (gz)', ''], rows);
  for (const [name, b] of Object.entries(BUDGETS)) {
    const f = files.find((x) => x.file === name);
    checks.push({
      section: 'bundles',
      name: `${name} gzip ≤ ${b.hard / KB} KB (budget)`,
      value: f ? f.gzip : null,
      goal: `≤ ${b.hard} B`,
      ok: !!f && f.gzip <= b.hard,
      hard: true,
      note: f ? undefined : 'file missing',
    });
    checks.push({
      section: 'bundles',
      name: `${name} gzip ≤ ${b.goal / KB} KB (goal)`,
      value: f ? f.gzip : null,
      goal: `≤ ${b.goal} B`,
      ok: !!f && f.gzip <= b.goal,
      hard: false,
    });
  }
  return { files: shown };
}
