// `npm run bench` — every benchmark section; `npm run bench -- --quick` for CI (one short run per
// figure; exit 1 only on machine-independent checks). `--only bundles,widget,server,refresh`.
// Results: test/bench/results.json (gitignored).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, cpuInfo, parseArgs, table, type BenchOptions, type Check } from './lib.ts';

const { quick, only } = parseArgs(process.argv.slice(2));
const opts: BenchOptions = {
  quick,
  runs: quick ? 1 : Number(process.env.BENCH_RUNS ?? 3),
  duration: quick ? 3 : Number(process.env.BENCH_DURATION ?? 8),
};
const want = (s: string) => only.length === 0 || only.includes(s);

const cpu = cpuInfo();
console.log(`shop-chat bench — ${quick ? 'quick' : 'full'} mode, ${opts.runs} run(s) per figure, ${cpu.count} CPU(s) (${cpu.model}), node ${process.version}`);

const checks: Check[] = [];
const results: Record<string, unknown> = {
  startedAt: new Date().toISOString(),
  mode: quick ? 'quick' : 'full',
  runs: opts.runs,
  durationSeconds: opts.duration,
  machine: { cpus: cpu.count, cpuModel: cpu.model, node: process.version, platform: process.platform },
  sections: {} as Record<string, unknown>,
  checks,
};
const sections = results.sections as Record<string, unknown>;

async function section(name: string, fn: () => Promise<unknown>) {
  if (!want(name)) return;
  const t0 = Date.now();
  try {
    sections[name] = await fn();
  } catch (e) {
    const message = (e as Error)?.stack ?? String(e);
    console.error(`\n[${name}] FAILED: ${message}`);
    sections[name] = { error: message };
    checks.push({ section: name, name: `${name} section ran`, value: false, goal: 'ran', ok: false, hard: true, note: (e as Error)?.message });
  }
  console.log(`[${name}] ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

const write = () => writeFileSync(join(ROOT, 'test/bench/results.json'), JSON.stringify(results, null, 2) + '\n');

await section('bundles', async () => (await import('./bundles.ts')).benchBundles(checks));
write();
await section('widget', async () => (await import('./widget.ts')).benchWidget(opts, checks));
write();
await section('server', async () => (await import('./server.ts')).benchServer(opts, checks));
write();
await section('refresh', async () => (await import('./refresh.ts')).benchRefresh(opts, checks));

results.finishedAt = new Date().toISOString();
write();

table(
  'Summary (hard = fails the run; goal = reported only)',
  ['check', 'value', 'goal', 'kind', 'result'],
  checks.map((c) => [c.name, c.value === null ? '-' : String(c.value), c.goal, c.hard ? 'hard' : 'goal', c.ok ? 'ok' : c.hard ? 'FAIL' : 'missed' + (c.note ? ` (${c.note})` : '')]),
);
const failed = checks.filter((c) => c.hard && !c.ok);
console.log(`\nresults: test/bench/results.json`);
if (failed.length) {
  console.error(`\n${failed.length} hard check(s) failed:\n${failed.map((c) => `  - [${c.section}] ${c.name}: ${c.value}${c.note ? ` (${c.note})` : ''}`).join('\n')}`);
  process.exit(1);
}
console.log('all hard checks passed');
