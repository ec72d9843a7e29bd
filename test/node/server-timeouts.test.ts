// Bounded waits on the HTTP side: a client that sends nothing, one that never finishes its body,
// and an idle keep-alive connection are each closed by the server after their setting.
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { ADMIN_TOKEN, createHarness, type Harness } from './helpers/server.ts';

describe('HTTP timeouts [sqlite]', () => {
  let h: Harness;
  let port: number;
  before(async () => {
    h = await createHarness('sqlite', {
      env: {
        SHOP_CHAT_HTTP_REQUEST_TIMEOUT_MS: '800',
        SHOP_CHAT_HTTP_HEADERS_TIMEOUT_MS: '500',
        SHOP_CHAT_HTTP_KEEP_ALIVE_TIMEOUT_MS: '300',
        SHOP_CHAT_HTTP_IDLE_TIMEOUT_MS: '2000',
      },
    });
    await h.app.listen({ host: '127.0.0.1', port: 0 });
    port = (h.app.server.address() as { port: number }).port;
  });
  after(() => h.close());

  /** Opens a socket, writes `send`, and resolves with how long until the server closed it and what it answered. */
  function closedAfter(send: string[], spacingMs = 0): Promise<{ ms: number; received: string }> {
    return new Promise((resolve, reject) => {
      const started = performance.now();
      const socket: Socket = connect(port, '127.0.0.1');
      let received = '';
      socket.on('data', (d) => (received += String(d)));
      socket.on('error', () => {});
      socket.on('close', () => resolve({ ms: performance.now() - started, received }));
      socket.on('connect', async () => {
        for (const chunk of send) {
          socket.write(chunk);
          if (spacingMs) await new Promise((r) => setTimeout(r, spacingMs));
        }
      });
      setTimeout(() => {
        socket.destroy();
        reject(new Error('the server kept the socket open for 10 s'));
      }, 10_000).unref();
    });
  }

  test('a connection that sends nothing is closed after the headers timeout', async () => {
    const { ms } = await closedAfter([]);
    assert.ok(ms >= 400 && ms < 2500, `closed after ${ms.toFixed(0)} ms`);
  });

  test('headers that never end are answered 408 and closed', async () => {
    const { ms, received } = await closedAfter(['GET /healthz HTTP/1.1\r\nHost: x\r\n']);
    assert.ok(ms < 2500, `closed after ${ms.toFixed(0)} ms`);
    assert.match(received, /^HTTP\/1\.1 408/);
  });

  test('a body that never ends is cut off after the request timeout', async () => {
    const { ms, received } = await closedAfter(
      [`POST /api/v1/shop/open/onboard HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${ADMIN_TOKEN}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"mobile":`, '"1', '3', '8'],
      150,
    );
    assert.ok(ms >= 700 && ms < 3000, `closed after ${ms.toFixed(0)} ms`);
    assert.match(received, /^HTTP\/1\.1 408/);
  });

  test('an idle keep-alive connection is closed after the keep-alive timeout', async () => {
    const { ms, received } = await closedAfter(['GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n']);
    assert.match(received, /^HTTP\/1\.1 200/);
    assert.ok(ms >= 250 && ms < 1500, `closed after ${ms.toFixed(0)} ms`);
  });
});
