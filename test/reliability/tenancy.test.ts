// Tenancy: for every authenticated endpoint in /openapi.json, organisation A's token aimed at
// organisation B's resources is refused (403/404), the body holds none of B's data, and B's data is
// unchanged afterwards.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ADMIN, call, makeApp, seedShop, type TestApp } from './helpers.ts';

let t: TestApp;
let A: Awaited<ReturnType<typeof seedShop>>;
let B: Awaited<ReturnType<typeof seedShop>>;
let bSecrets: string[] = [];
let bindingBefore: any;
// OAuth callbacks carry no bearer token (the platform redirects the browser there): not tenancy-scoped.
const isPublic = (p: string) => PUBLIC.has(p) || p.includes('/store/callback/');
const PUBLIC = new Set(['/healthz', '/readyz', '/openapi.json', '/api/v1/shop/widget/config', '/api/v1/shop/open/token/refresh']);
const endpoints: { method: string; path: string; body: string[]; query: string[] }[] = [];

before(async () => {
  t = await makeApp('tenancy');
  A = await seedShop(t.app);
  B = await seedShop(t.app);
  const seat = await call(t.app, 'POST', '/api/v1/shop/open/agent-seat/create', B.token, { shopUid: B.shopUid, seatNoList: [`${B.shopUid}-extra-1`], expireAt: '2030-01-01T00:00:00+08:00' });
  assert.equal(seat.status, 200, seat.body);
  const bind = await call(t.app, 'GET', `/api/v1/shop/open/binding?shopUid=${B.shopUid}`, B.token);
  assert.equal(bind.status, 200, bind.body);
  bindingBefore = bind.json.data;
  const s = bind.json.data.shop;
  bSecrets = [
    s.uid,
    s.orgUid,
    B.mobile,
    ...s.workgroups.map((w: any) => w.uid),
    ...s.agentSeats.map((x: any) => x.uid),
    ...s.agents.map((x: any) => x.uid),
    B.token,
    B.refreshToken,
    B.token.slice(-4) + '"', // masked hint's tail, quoted, as it would appear in JSON
  ].filter((v) => typeof v === 'string' && v.length >= 4);
  assert.notEqual(A.orgUid, B.orgUid);
  const doc = JSON.parse((await t.app.inject({ method: 'GET', url: '/openapi.json' })).body);
  for (const [path, ops] of Object.entries<Record<string, any>>(doc.paths)) {
    for (const [method, op] of Object.entries<any>(ops)) {
      if (isPublic(path)) continue;
      endpoints.push({
        method: method.toUpperCase(),
        path,
        body: Object.keys(op.requestBody?.content?.['application/json']?.schema?.properties ?? {}),
        query: (op.parameters ?? []).filter((p: any) => p.in === 'query' || p.in === 'path').map((p: any) => p.name),
      });
    }
  }
});

after(async () => {
  await t?.close();
});

/** A value aimed at B for every field name an endpoint takes. */
function aimAtB(field: string): unknown {
  const seatNo = `${B.shopUid}-extra-1`;
  const m: Record<string, unknown> = {
    shopUid: B.shopUid,
    uid: B.tokenUid,
    tokenUid: B.tokenUid,
    seatNo,
    seatNoList: [seatNo, `${B.shopUid}-base-1`],
    expireAt: '2031-01-01T00:00:00+08:00',
    shopName: 'hacked by A',
    shopLogo: 'https://evil.example/logo.png',
    name: 'hacked by A',
    description: 'hacked',
    vipLevel: 1,
    maxMembers: 1,
    maxAgents: 1,
    maxWorkgroups: 1,
    pageNumber: 0,
    pageSize: 50,
    orgUid: B.orgUid,
    mobile: B.mobile,
    revokeReason: 'hacked',
    channel: 'WEB',
    device: 'x',
    platform: 'SHOPLAZZA',
    connectionId: 'x',
    authType: 'KEY',
    sellerId: 'seller',
    authInfo: { token: 'tenancy-platform-token-0000' },
    redirectUrl: 'https://example.com/done',
    refreshToken: `sc_rt_tenancy_${'a'.repeat(40)}`,
    accessToken: B.token,
  };
  return field in m ? m[field] : 'x';
}

test('every authenticated endpoint refuses A’s token on B’s resources, with no B data in the body', async () => {
  assert.ok(endpoints.length >= 16, `only ${endpoints.length} authenticated endpoints found`);
  const failures: string[] = [];
  for (const e of endpoints) {
    const path = e.path.replace(/\{(\w+)\}/g, (_, k) => encodeURIComponent(String(aimAtB(k))));
    const qs = e.query.filter((q) => !e.path.includes(`{${q}}`));
    const query = [...new Set([...qs, 'shopUid'])].map((q) => `${q}=${encodeURIComponent(String(aimAtB(q)))}`).join('&');
    const body = e.method === 'GET' ? undefined : Object.fromEntries(e.body.map((f) => [f, aimAtB(f)]));
    const r = await call(t.app, e.method, `${path}?${query}`, A.token, body);
    const leaked = bSecrets.filter((s) => r.body.includes(s));
    if (![403, 404].includes(r.status)) failures.push(`${e.method} ${e.path} → ${r.status} (want 403/404): ${r.body.slice(0, 200)}`);
    if (leaked.length) failures.push(`${e.method} ${e.path} → body holds B data ${leaked.map((s) => s.slice(0, 12)).join(', ')}`);
  }
  assert.deepEqual(failures, [], failures.join('\n'));
});

test('admin-only endpoints refuse an organisation token with 403', async () => {
  const onboard = await call(t.app, 'POST', '/api/v1/shop/open/onboard', A.token, { mobile: '13900000000', shopUid: B.shopUid, shopName: 'x', shopLogo: 'https://example.com/x.png' });
  assert.equal(onboard.status, 403, onboard.body);
  const vip = await call(t.app, 'POST', '/api/v1/shop/open/shop/vip-level', A.token, { shopUid: A.shopUid, vipLevel: 1 });
  assert.equal(vip.status, 403, vip.body);
});

test('B’s shop, seats and token are unchanged after A’s attempts', async () => {
  const bind = await call(t.app, 'GET', `/api/v1/shop/open/binding?shopUid=${B.shopUid}`, B.token);
  assert.equal(bind.status, 200, `B's token no longer works: ${bind.body}`);
  const s = bind.json.data.shop;
  assert.equal(s.name, bindingBefore.shop.name);
  assert.equal(s.logo, bindingBefore.shop.logo);
  assert.equal(s.orgUid, bindingBefore.shop.orgUid);
  assert.deepEqual(
    s.agentSeats.map((x: any) => [x.seatNo, x.expireAt]).sort(),
    bindingBefore.shop.agentSeats.map((x: any) => [x.seatNo, x.expireAt]).sort(),
  );
  const detail = await call(t.app, 'GET', `/api/v1/shop/open/token/detail?uid=${B.tokenUid}`, ADMIN);
  assert.equal(detail.status, 200, detail.body);
  assert.equal(detail.json.data.revoked, false);
  assert.equal(detail.json.data.name, 'rel');
});

test('A’s token still works on A’s own shop (the refusals above are not blanket failures)', async () => {
  const r = await call(t.app, 'GET', `/api/v1/shop/open/binding?shopUid=${A.shopUid}`, A.token);
  assert.equal(r.status, 200, r.body);
  const q = await call(t.app, 'POST', '/api/v1/shop/open/agent-seat/query', A.token, { shopUid: A.shopUid, pageNumber: 0, pageSize: 20 });
  assert.equal(q.status, 200, q.body);
});
