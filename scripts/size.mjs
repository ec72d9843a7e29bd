#!/usr/bin/env node
// Prints the gzip size of every bundle in dist/ and the packed size of the widget package
// (build/package/, as `npm pack` makes it), and fails when a budget is exceeded.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

/** Gzip budgets of the bundles, KB: `npm run size` and the benchmark's hard check both use them. */
export const BUDGETS_KB = { 'shop-chat.iife.js': 15, 'shop-chat-url.js': 4 };

function main() {
  const kb = (n) => (n / 1024).toFixed(2).padStart(8);
  let failed = false;
  let files;
  try {
    files = readdirSync('dist').filter((f) => f.endsWith('.js') && statSync(`dist/${f}`).isFile());
  } catch {
    console.error('size: dist/ is missing; run `npm run build` first');
    process.exit(1);
  }
  console.log('file                       raw KB  gzip KB  budget');
  for (const f of files.sort()) {
    const raw = readFileSync(`dist/${f}`);
    const gz = gzipSync(raw, { level: 9 }).length;
    const budget = BUDGETS_KB[f];
    const over = budget !== undefined && gz > budget * 1024;
    failed ||= over;
    console.log(`${f.padEnd(24)} ${kb(raw.length)} ${kb(gz)}  ${budget ? `${budget} KB ${over ? 'OVER' : 'ok'}` : '-'}`);
  }
  for (const f of Object.keys(BUDGETS_KB)) {
    if (!files.includes(f)) {
      console.error(`size: dist/${f} is missing`);
      failed = true;
    }
  }
  const pack = packedSize();
  if (pack) console.log(`\npackage build/package: ${pack.name}@${pack.version}, ${pack.entryCount} files, packed ${kb(pack.size).trim()} KB, unpacked ${kb(pack.unpackedSize).trim()} KB`);
  else {
    console.error('size: build/package/ is missing; run `npm run build` first');
    failed = true;
  }
  process.exit(failed ? 1 : 0);
}

/** `npm pack --dry-run` of the widget package: what `npm publish build/package` would upload. */
export function packedSize(dir = 'build/package') {
  // `./`: npm reads a bare a/b as a GitHub repository.
  if (!existsSync(`${dir}/package.json`)) return undefined;
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts', `./${dir}`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return JSON.parse(out.slice(out.indexOf('[')))[0];
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
