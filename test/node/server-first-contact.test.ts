// What a developer sees after starting the server: a start line with the demo, docs and API
// addresses, one log line per request, readable lines (pino-pretty) when stdout is a terminal.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { freePort } from '../helpers/net.ts';

const ROOT = resolve(fileURLToPath(import.meta.url), '../../..');
const MAIN = join(ROOT, 'src/server/main.ts');

interface Started {
  child: ChildProcess;
  base: string;
  output: () => string;
}

const children: ChildProcess[] = [];
const dirs: string[] = [];
after(() => {
  for (const c of children) c.kill('SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Starts main.ts (through `script` for a terminal) and waits for its ready line. */
async function start(terminal: boolean): Promise<Started> {
  const dir = mkdtempSync(join(tmpdir(), 'shop-chat-first-'));
  dirs.push(dir);
  const port = await freePort();
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    HOST: '127.0.0.1',
    PORT: String(port),
    LOG_LEVEL: 'info',
    DATABASE_URL: `sqlite:${join(dir, 'db.sqlite')}`,
    SHOP_CHAT_REFRESH_SWEEP: 'off',
    TERM: 'dumb',
  };
  const node = [process.execPath, '--import', import.meta.resolve('tsx'), MAIN];
  const child = terminal
    ? spawn('script', ['-qfec', node.map((a) => `'${a}'`).join(' '), '/dev/null'], { cwd: dir, env, stdio: ['pipe', 'pipe', 'pipe'] })
    : spawn(node[0]!, node.slice(1), { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const deadline = Date.now() + 60_000;
  while (!/ready: demo /.test(out)) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`no ready line:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, base: `http://127.0.0.1:${port}`, output: () => out };
}

describe('first contact', () => {
  it('the start line gives the demo, docs and API addresses; each request logs one line', async () => {
    const s = await start(false);
    const lines = () => s.output().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
    const ready = lines().find((l) => String(l.msg).includes('ready:'))!;
    assert.equal(ready.demo, `${s.base}/demo/`);
    assert.equal(ready.docs, `${s.base}/docs`);
    assert.equal(ready.api, `${s.base}/api/v1/shop/open`);
    assert.match(ready.msg, new RegExp(`demo ${s.base}/demo/ · docs ${s.base}/docs · api ${s.base}/api/v1/shop/open`));

    const before = lines().length;
    for (const path of ['/healthz', '/demo/', '/api/v1/shop/widget/config?shopUid=nope']) await fetch(s.base + path).then((r) => r.arrayBuffer());
    await new Promise((r) => setTimeout(r, 300));
    const requestLines = lines().slice(before);
    assert.deepEqual(
      requestLines.map((l) => [l.level, l.msg.replace(/ [\d.]+ ms$/, '')]),
      [
        [30, 'GET /healthz 200'],
        [30, 'GET /demo/ 200'],
        [30, 'GET /api/v1/shop/widget/config?shopUid=nope 404'],
      ],
    );
    assert.equal(requestLines[2].res.statusCode, 404);
    assert.equal(typeof requestLines[2].responseTime, 'number');
    s.child.kill('SIGTERM');
  });

  it('in a terminal the lines are pino-pretty, not JSON', async () => {
    const s = await start(true);
    await fetch(`${s.base}/healthz`).then((r) => r.arrayBuffer());
    await new Promise((r) => setTimeout(r, 300));
    const text = s.output().replace(/\x1b\[[0-9;]*m/g, '');
    assert.doesNotMatch(text, /^\{"level"/m);
    assert.match(text, /INFO.*shop-chat [\d.]+ ready: demo http/);
    assert.match(text, /INFO.*GET \/healthz 200 [\d.]+ ms/);
    s.child.kill('SIGTERM');
  });
});
