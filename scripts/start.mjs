#!/usr/bin/env node
// `npm start`: builds the widget when dist/ is missing or stale, then runs the server in this process.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';
import { distIsStale } from './stale.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
process.chdir(root);
if (distIsStale(root)) {
  console.log('dist/ is missing or older than the sources: building the widget first');
  execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
}
register();
await import('../src/server/main.ts');
