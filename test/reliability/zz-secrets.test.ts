// Secrets (runs last): issues API tokens, refreshes them, refreshes store-platform tokens through the
// vault, with trace logging; then every database file and captured log of the whole suite (RUN_DIR)
// must contain none of the tokens, refresh tokens, platform tokens or secrets issued or stored.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { storeFixture } from '../bench/store-fixture.ts';
import { FakeBytedesk } from '../fakes/bytedesk.ts';
import { ADMIN, RUN_DIR, SECRET_KEY, call, makeApp, recordSecret, seedShop } from './helpers.ts';

function files(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

test('scenario: tokens created, refreshed, revoked; store tokens refreshed (trace logging)', async () => {
  const t = await makeApp('secrets');
  try {
    const s = await seedShop(t.app);
    const r = await call(t.app, 'POST', '/api/v1/shop/open/token/refresh', null, { refreshToken: s.refreshToken, channel: 'WEB' });
    assert.equal(r.status, 200, r.body);
    recordSecret('accessToken', r.json.data.accessToken);
    // Tokens in places a careless logger would print: header, query, body.
    await call(t.app, 'GET', `/api/v1/shop/open/binding?shopUid=${s.shopUid}&token=${r.json.data.accessToken}`, r.json.data.accessToken);
    await call(t.app, 'POST', '/api/v1/shop/open/token/revoke', ADMIN, { accessToken: s.token, revokeReason: 'test' });
    await call(t.app, 'POST', '/api/v1/shop/open/token/refresh', null, { refreshToken: 'sc_rt_' + 'z'.repeat(43) });
    recordSecret('admin', ADMIN);
    recordSecret('vaultKey', SECRET_KEY);

    const logged: string[] = [];
    const log = { debug: (o: unknown, m?: string) => logged.push(JSON.stringify([o, m])), info: (o: unknown, m?: string) => logged.push(JSON.stringify([o, m])), warn: (o: unknown, m?: string) => logged.push(JSON.stringify([o, m])), error: (o: unknown, m?: string) => logged.push(JSON.stringify([o, m])) };
    const f = await storeFixture(t.db, 5, SECRET_KEY, log);
    try {
      for (const [, p] of f.pairs) {
        recordSecret('platformAccess', p.accessToken);
        recordSecret('platformRefresh', p.refreshToken);
      }
      recordSecret('platformClientSecret', f.fake.clientSecret);
      for (const id of f.ids) assert.equal((await f.manager.refreshNow(id)).result, 'refreshed');
      // The new pairs the fake issued are live now: record them all.
      for (const tok of f.fake.access.keys()) recordSecret('platformAccess', tok);
      for (const req of f.fake.requests) {
        const m = /"refresh_token":"([^"]+)"/.exec(req.body);
        if (m) recordSecret('platformRefresh', m[1]);
      }
    } finally {
      await f.close();
    }
    const { appendFileSync } = await import('node:fs');
    appendFileSync(join(RUN_DIR, 'logs', `secrets-store-${process.pid}.log`), logged.join('\n'));
  } finally {
    await t.close();
  }
});

test('scenario: upstream mode; the server’s upstream credential is stored, used, refreshed and refused (trace logging)', async () => {
  const fake = new FakeBytedesk();
  await fake.start();
  const first = fake.issue();
  const t = await makeApp('secrets-upstream', {
    SHOP_CHAT_UPSTREAM_URL: fake.url,
    SHOP_CHAT_UPSTREAM_ACCESS_TOKEN: first.accessToken,
    SHOP_CHAT_UPSTREAM_REFRESH_TOKEN: first.refreshToken!,
  });
  const bodies: string[] = [];
  const send = async (...args: Parameters<typeof call>) => {
    const r = await call(...args);
    bodies.push(r.body);
    return r;
  };
  try {
    const s = await seedShop(t.app);
    bodies.push(JSON.stringify(s));
    fake.expireAccessTokens();
    assert.equal((await send(t.app, 'GET', `/api/v1/shop/open/binding?shopUid=${s.shopUid}`, s.token)).status, 200);
    fake.inject('binding', { type: 'status', status: 401 });
    assert.equal((await send(t.app, 'GET', `/api/v1/shop/open/binding?shopUid=${s.shopUid}`, ADMIN)).status, 200);
    fake.expireAccessTokens();
    fake.revokeRefreshTokens();
    assert.equal((await send(t.app, 'POST', '/api/v1/shop/open/agent-seat/query', ADMIN, { shopUid: s.shopUid })).status, 503);
    await send(t.app, 'GET', '/readyz', null);
    assert.ok(fake.count('token/refresh') >= 2, 'refreshed, then refused');
  } finally {
    await t.close();
    await fake.stop();
  }
  const issued = fake.issuedTokens();
  for (const token of issued) {
    recordSecret('upstreamToken', token);
    assert.ok(!bodies.some((b) => b.includes(token)), 'an upstream token in a response');
  }
});

test('no database file and no captured log of the suite holds an issued secret', () => {
  const secretsFile = join(RUN_DIR, 'secrets.jsonl');
  assert.ok(existsSync(secretsFile), 'no secrets were recorded');
  const secrets = [...new Map(readFileSync(secretsFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { kind: string; value: string }).map((s) => [s.value, s])).values()];
  assert.ok(secrets.length >= 10, `only ${secrets.length} secrets recorded`);
  const kinds = new Set(secrets.map((s) => s.kind));
  for (const k of ['accessToken', 'refreshToken', 'platformAccess', 'platformRefresh', 'upstreamToken']) assert.ok(kinds.has(k), `no ${k} recorded`);
  const scanned = [...files(join(RUN_DIR, 'db')), ...files(join(RUN_DIR, 'logs'))];
  assert.ok(scanned.some((f) => f.endsWith('.db')), 'no database file to scan');
  assert.ok(scanned.some((f) => f.endsWith('.log')), 'no log file to scan');
  const leaks: string[] = [];
  let logBytes = 0;
  for (const file of scanned) {
    const buf = readFileSync(file);
    if (file.endsWith('.log')) logBytes += buf.length;
    const text = buf.toString('latin1');
    for (const s of secrets) {
      const needle = Buffer.from(s.value, 'utf8').toString('latin1');
      if (text.includes(needle)) leaks.push(`${s.kind} ${s.value.slice(0, 10)}… in ${file.replace(RUN_DIR, '')}`);
    }
  }
  assert.ok(logBytes > 1000, 'captured logs are nearly empty: logging was not exercised');
  assert.deepEqual(leaks, [], leaks.join('\n'));
});
