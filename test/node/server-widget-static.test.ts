// The widget bundle as a browser (or curl) fetches it from the server: the brotli or gzip file
// `npm run build` wrote, at the versioned immutable path and at the current alias with a short cache
// and an ETag; and `/`, the first page a visitor opens.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { PACKAGE_VERSION } from '../../src/server/app.ts';
import { WIDGET_ALIAS_MAX_AGE } from '../../src/server/http/static.ts';
import { ROOT } from '../e2e/helpers.ts';
import { createHarness, type Harness } from './helpers/server.ts';

const run = promisify(execFile);
const BUNDLE = readFileSync(join(ROOT, 'dist/shop-chat.iife.js'));

/** curl -sS -D - …: status, lower-cased headers and the raw body bytes. */
async function curl(url: string, ...args: string[]) {
  const { stdout } = await run('curl', ['-sS', '-D', '-', '-o', '-', ...args, url], { encoding: 'buffer', maxBuffer: 10e6 });
  const split = stdout.indexOf('\r\n\r\n');
  const head = stdout.subarray(0, split).toString('latin1').split('\r\n');
  const headers = Object.fromEntries(head.slice(1).map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
  return { status: Number(head[0]!.split(' ')[1]), headers, body: stdout.subarray(split + 4) };
}

describe('serving the widget bundle', () => {
  let h: Harness;
  let base: string;
  before(async () => {
    h = await createHarness('sqlite', { staticRoots: {} }); // the project's dist/ and demo/
    base = await h.app.listen({ host: '127.0.0.1', port: 0 });
  });
  after(() => h?.close());

  const alias = () => `${base}/widget/shop-chat.iife.js`;
  const versioned = () => `${base}/widget/v${PACKAGE_VERSION}/shop-chat.iife.js`;

  it('sends the precompressed brotli file to a client that accepts br, gzip to one that accepts gzip only', async () => {
    const br = await curl(alias(), '-H', 'Accept-Encoding: gzip, deflate, br');
    assert.equal(br.status, 200);
    assert.equal(br.headers['content-encoding'], 'br');
    assert.match(br.headers['content-type']!, /^(text|application)\/javascript/);
    assert.match(br.headers.vary ?? '', /accept-encoding/i);
    assert.ok(br.body.equals(readFileSync(join(ROOT, 'dist/shop-chat.iife.js.br'))), 'the file build wrote, not compressed per request');
    assert.ok(brotliDecompressSync(br.body).equals(BUNDLE));
    assert.ok(br.body.length < BUNDLE.length / 2.5, `${br.body.length} of ${BUNDLE.length} bytes`);

    const gz = await curl(alias(), '-H', 'Accept-Encoding: gzip');
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.ok(gunzipSync(gz.body).equals(BUNDLE));

    const plain = await curl(alias());
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.ok(plain.body.equals(BUNDLE));
  });

  it('the current alias: a short cache and an ETag (304 when unchanged)', async () => {
    const first = await curl(alias(), '-H', 'Accept-Encoding: br');
    assert.equal(first.headers['cache-control'], `public, max-age=${WIDGET_ALIAS_MAX_AGE}`);
    const etag = first.headers.etag;
    assert.ok(etag, 'ETag');
    const again = await curl(alias(), '-H', 'Accept-Encoding: br', '-H', `If-None-Match: ${etag}`);
    assert.equal(again.status, 304);
    assert.equal(again.body.length, 0);
  });

  it('the versioned path /widget/v<version>/: immutable, cached for a year; another version is a 404', async () => {
    const res = await curl(versioned(), '-H', 'Accept-Encoding: br');
    assert.equal(res.status, 200);
    assert.equal(res.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.equal(res.headers['content-encoding'], 'br');
    assert.ok(brotliDecompressSync(res.body).equals(BUNDLE));
    assert.equal((await curl(`${base}/widget/v0.0.0-nope/shop-chat.iife.js`)).status, 404);
  });

  it('`/` leads to the demo outside production', async () => {
    const res = await curl(`${base}/`);
    assert.equal(res.status, 302);
    assert.equal(res.headers.location, '/demo/');
  });
});

describe('`/` in production', () => {
  it('answers a small JSON index: docs, API, the versioned widget (the demo pages are off there)', async () => {
    const h = await createHarness('sqlite', { staticRoots: {}, env: { NODE_ENV: 'production', SHOP_CHAT_SECRET_KEY: Buffer.alloc(32, 7).toString('base64') } });
    try {
      const res = await h.app.inject({ method: 'GET', url: '/' });
      assert.equal(res.statusCode, 200);
      assert.deepEqual(res.json().data, {
        name: 'shop-chat',
        version: PACKAGE_VERSION,
        docs: '/docs',
        openapi: '/openapi.json',
        api: '/api/v1/shop/open',
        widgetApi: '/api/v1/shop/widget',
        health: '/healthz',
        widget: `/widget/v${PACKAGE_VERSION}/shop-chat.iife.js`,
      });
    } finally {
      await h.close();
    }
  });
});
