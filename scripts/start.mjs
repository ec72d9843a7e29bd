#!/usr/bin/env node
// `npm start`: builds the widget (dist/) and the server (build/server/) when missing or stale, then
// runs the compiled server in this process: plain JavaScript, no TypeScript loader.
import { execFileSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { SERVER_ENTRY, buildServer, serverIsStale } from './build-server.mjs';
import { distIsStale } from './stale.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
process.chdir(root);
if (distIsStale(root)) {
  console.log('dist/ is missing or older than the sources: building the widget first');
  execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
}
if (serverIsStale(root)) await buildServer(root);
await import(pathToFileURL(`${root}/${SERVER_ENTRY}`).href);
