// `npm run dev` (Vite with vite.config.ts): listens on PORT and proxies the API to the running server.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { ROOT } from '../e2e/helpers.ts';

const run = promisify(execFile);

async function devConfig(env: Record<string, string>) {
  const script = `const { default: c } = await import(${JSON.stringify(join(ROOT, 'vite.config.ts'))}); process.stdout.write(JSON.stringify(c.server));`;
  const { PORT: _p, SHOP_CHAT_DEV_SERVER: _s, ...rest } = process.env;
  const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, env: { ...rest, ...env } });
  return JSON.parse(stdout) as { port: number; strictPort: boolean; proxy: Record<string, string> };
}

test('npm run dev listens on PORT (default 5173) and proxies /api and /widget to SHOP_CHAT_DEV_SERVER', async () => {
  const dflt = await devConfig({});
  assert.equal(dflt.port, 5173);
  assert.equal(dflt.proxy['/api'], 'http://127.0.0.1:9003');
  const set = await devConfig({ PORT: '5199', SHOP_CHAT_DEV_SERVER: 'http://127.0.0.1:9010' });
  assert.equal(set.port, 5199);
  assert.equal(set.strictPort, true, 'a taken PORT is an error, not another port');
  for (const p of ['/api', '/widget', '/docs', '/openapi.json']) assert.equal(set.proxy[p], 'http://127.0.0.1:9010', p);
});
