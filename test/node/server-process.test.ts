import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { freePort } from '../helpers/net.ts';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ConfigError, loadConfig } from '../../src/server/config.ts';
import { formatIsoWithOffset, formatTimestamp } from '../../src/server/time.ts';

const ROOT = resolve(fileURLToPath(import.meta.url), '../../..');
const MAIN = join(ROOT, 'src/server/main.ts');

function run(env: Record<string, string>, cwd: string) {
  // Run from a temp cwd: tsx is resolved from this project, not from the cwd.
  return spawn(process.execPath, ['--import', import.meta.resolve('tsx'), MAIN], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}


test('config: defaults of DESIGN.md and issue 3', () => {
  const c = loadConfig({});
  assert.equal(c.host, '127.0.0.1');
  assert.equal(c.port, 9003);
  assert.equal(c.databaseUrl, 'sqlite:./data/shop-chat.db');
  assert.equal(c.logLevel, 'info');
  assert.equal(c.tokenTtlSeconds, 86_400);
  assert.equal(c.refreshTokenTtlSeconds, 30 * 86_400);
  assert.equal(c.timezone, 'Asia/Shanghai');
  assert.equal(c.chatUrl, 'https://cdn.weiyuai.cn/chat');
  assert.equal(c.goodsDetailPath, '');
  assert.equal(c.orderDetailPath, '');
  assert.equal(c.autoRegister, true);
  assert.equal(c.adminToken, undefined);
  assert.equal(c.redisUrl, undefined);
  assert.equal(c.rateLimit.perToken, 600);
  assert.equal(loadConfig({ SHOP_CHAT_AUTO_REGISTER: 'false' }).autoRegister, false);
});

test('config: a bad value is one error line naming the variable', () => {
  const cases: Array<[Record<string, string>, string]> = [
    [{ PORT: 'abc' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ SHOP_CHAT_TIMEZONE: 'Mars/Base' }, 'SHOP_CHAT_TIMEZONE'],
    [{ SHOP_CHAT_AUTO_REGISTER: 'maybe' }, 'SHOP_CHAT_AUTO_REGISTER'],
    [{ SHOP_CHAT_TOKEN_TTL: '-5' }, 'SHOP_CHAT_TOKEN_TTL'],
    [{ SHOP_CHAT_ADMIN_TOKEN: 'short' }, 'SHOP_CHAT_ADMIN_TOKEN'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ SHOP_CHAT_CHAT_URL: 'not a url' }, 'SHOP_CHAT_CHAT_URL'],
    [{ REDIS_URL: 'http://x' }, 'REDIS_URL'],
  ];
  for (const [env, name] of cases) {
    assert.throws(
      () => loadConfig(env),
      (err: unknown) => err instanceof ConfigError && err.message.includes(name) && !err.message.includes('\n'),
      name,
    );
  }
});

test('time: yyyy-MM-dd HH:mm:ss in the time zone, ISO 8601 with offset', () => {
  const d = new Date('2026-04-02T02:00:00Z');
  assert.equal(formatTimestamp(d, 'Asia/Shanghai'), '2026-04-02 10:00:00');
  assert.equal(formatIsoWithOffset(d, 'Asia/Shanghai'), '2026-04-02T10:00:00+08:00');
  assert.equal(formatIsoWithOffset(d, 'UTC'), '2026-04-02T02:00:00+00:00');
  assert.equal(formatIsoWithOffset(new Date('2026-07-01T12:00:00Z'), 'America/New_York'), '2026-07-01T08:00:00-04:00');
  assert.equal(formatTimestamp(new Date('2026-12-31T16:00:00Z'), 'Asia/Shanghai'), '2027-01-01 00:00:00');
});

test('main: a bad PORT stops the start with one stderr line naming it and a nonzero exit', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'shop-chat-main-'));
  try {
    const child = run({ PORT: 'not-a-port', DATABASE_URL: `sqlite:${join(dir, 'x.db')}` }, dir);
    let stderr = '';
    child.stderr.on('data', (c) => (stderr += c));
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    assert.notEqual(code, 0);
    const lines = stderr.trim().split('\n');
    assert.equal(lines.length, 1, `one line, got: ${stderr}`);
    assert.match(lines[0]!, /PORT/);
    assert.equal(existsSync(join(dir, 'x.db')), false, 'nothing was opened');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('main: starts on a fresh SQLite file, answers /healthz and /readyz, stops cleanly on SIGTERM', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'shop-chat-main-'));
  const port = await freePort();
  const child = run({ PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: `sqlite:${join(dir, 'data', 'shop.db')}`, LOG_LEVEL: 'warn' }, dir);
  let stderr = '';
  child.stderr.on('data', (c) => (stderr += c));
  const exited = new Promise<number | null>((r) => child.on('exit', r));
  try {
    let ok = false;
    for (let i = 0; i < 100 && !ok; i++) {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/healthz`);
        ok = res.status === 200 && (await res.json()).data.status === 'ok';
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    assert.ok(ok, `server answered /healthz (stderr: ${stderr})`);
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    assert.equal(ready.status, 200);
    assert.ok(existsSync(join(dir, 'data', 'shop.db')), 'database file created with its folder');
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});

test('admin CLI: `token create --name NAME` prints the admin token JSON once; it works as administrator', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'shop-chat-cli-'));
  const url = `sqlite:${join(dir, 'cli.db')}`;
  try {
    const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), join(ROOT, 'src/server/cli.ts'), 'token', 'create', '--name', 'ops'], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '', DATABASE_URL: url },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    assert.equal(code, 0);
    const printed = JSON.parse(out);
    assert.equal(printed.name, 'ops');
    assert.match(printed.accessToken, /^sc_adm_[A-Za-z0-9_-]{43}$/);
    assert.equal(printed.permanent, true);

    const { createDatabase, migrateToLatest } = await import('../../src/server/db/index.ts');
    const { buildApp } = await import('../../src/server/app.ts');
    const { createServices } = await import('../../src/server/compose.ts');
    const handle = createDatabase(url);
    await migrateToLatest(handle.db);
    const services = createServices(loadConfig({ DATABASE_URL: url, LOG_LEVEL: 'silent' }), handle);
    const app = await buildApp(services, { staticRoots: { widget: null, demo: null } });
    try {
      const res = await app.inject({
        method: 'POST',
        url: '/api/v1/shop/open/onboard',
        headers: { authorization: `Bearer ${printed.accessToken}` },
        payload: { mobile: '13800138005', shopUid: 'cli_shop' },
      });
      assert.equal(res.statusCode, 200);
      const row = await handle.db.selectFrom('api_tokens').selectAll().where('uid', '=', printed.uid).executeTakeFirstOrThrow();
      assert.notEqual(row.access_hash, printed.accessToken);
      assert.equal(JSON.stringify(row).includes(printed.accessToken), false, 'stored as a hash only');
    } finally {
      await app.close();
      await handle.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
