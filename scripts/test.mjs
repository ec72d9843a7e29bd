#!/usr/bin/env node
// `npm test`: every test, node and browser. `--only node|browser|e2e` runs one suite.
// Builds first (the browser and e2e suites load the real bundles), finds Chromium, then runs each
// suite in turn, streaming its output, and ends with one summary line.
import { spawn, execFileSync } from 'node:child_process';
import { readdirSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { findChromium } from './chromium.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
process.chdir(root);
const args = process.argv.slice(2);
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
const wanted = (s) => !only || only === s;

const files = (dir) =>
  existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.test.ts')).sort().map((f) => `${dir}/${f}`) : [];

function run(name, cmd, argv, env = {}) {
  return new Promise((resolve) => {
    console.log(`\n=== ${name}: ${[cmd === process.execPath ? 'node' : cmd, ...argv].join(' ')}`);
    const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } });
    let out = '';
    child.stdout.on('data', (d) => {
      process.stdout.write(d);
      out += d;
      if (out.length > 1e6) out = out.slice(-1e5);
    });
    child.on('close', (code) => resolve({ name, code: code ?? 1, out }));
  });
}

// Counts from node's test runner (spec reporter) or web-test-runner's summary. Skipped: every
// skipped test or suite prints one "﹣ name # reason" line; node's own total leaves out a skipped
// suite without tests (the PostgreSQL suites when TEST_DATABASE_URL is unset).
function counts({ out }) {
  const node = (k) => [...out.matchAll(new RegExp(`^(?:#|ℹ) ${k} (\\d+)$`, 'gm'))].reduce((n, m) => n + Number(m[1]), 0);
  const wtr = [...out.matchAll(/(\d+) passed, (\d+) failed(?:, (\d+) skipped)?/g)].at(-1);
  if (wtr) return { pass: Number(wtr[1]), fail: Number(wtr[2]), skip: Number(wtr[3] ?? 0) };
  const skippedLines = [...out.matchAll(/^\s*﹣ .*# /gm)].length;
  return { pass: node('pass'), fail: node('fail'), skip: Math.max(skippedLines, node('skipped')) };
}

const results = [];
const needsBrowser = wanted('browser') || wanted('e2e');
const chrome = needsBrowser ? findChromium() : undefined;
if (needsBrowser || wanted('node')) {
  console.log('=== build');
  execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
}
const nodeTest = (dir) => [
  '--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', ...files(dir),
];
if (wanted('node') && files('test/node').length) results.push(await run('node tests', process.execPath, nodeTest('test/node')));
if (wanted('browser') && files('test/browser').length) {
  results.push(await run('browser tests', process.execPath, ['node_modules/@web/test-runner/dist/bin.js', '--config', 'web-test-runner.config.mjs'], { CHROME_PATH: chrome }));
}
if (wanted('e2e') && files('test/e2e').length) results.push(await run('end-to-end tests', process.execPath, nodeTest('test/e2e'), { CHROME_PATH: chrome }));

let pass = 0;
let fail = 0;
let skip = 0;
console.log('\n=== summary');
for (const r of results) {
  const c = counts(r);
  pass += c.pass;
  skip += c.skip;
  fail += c.fail + (r.code !== 0 && c.fail === 0 ? 1 : 0);
  console.log(`${r.name.padEnd(18)} ${c.pass} passed, ${c.fail} failed, ${c.skip} skipped${r.code !== 0 ? ` (exit ${r.code})` : ''}`);
}
if (results.length === 0) {
  console.error('no test suite ran');
  process.exit(1);
}
console.log(`total: ${pass} passed, ${fail} failed, ${skip} skipped`);
process.exit(results.every((r) => r.code === 0) ? 0 : 1);
