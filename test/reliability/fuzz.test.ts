// Fuzz: ≥ 10,000 generated requests (fast-check) across every endpoint listed in /openapi.json —
// wrong types, missing and extra fields, huge and unicode strings, NUL bytes, __proto__/constructor
// keys, malformed JSON, bad content types, absurd query strings. Zero 5xx, /healthz still answers,
// Object.prototype untouched, every error is the JSON envelope with code = HTTP status. On SQLite
// and on PostgreSQL (TEST_DATABASE_URL): the NUL bytes were a 500 only there.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { PG_URL, postgresMissing } from '../helpers/postgres.ts';
import fc from 'fast-check';
import { ADMIN, call, makeApp, seedShop, type TestApp } from './helpers.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 10_500);

interface Endpoint {
  method: string;
  path: string;
  bodyFields: string[];
  queryFields: string[];
}

function fuzzSuite(kind: 'sqlite' | 'postgres') {
  let t: TestApp;
  let endpoints: Endpoint[] = [];
  let a: Awaited<ReturnType<typeof seedShop>>;
  let b: Awaited<ReturnType<typeof seedShop>>;
  const protoKeysBefore = Object.getOwnPropertyNames(Object.prototype).sort();

  before(async () => {
    t = await makeApp(`fuzz-${kind}`, {}, kind === 'postgres' ? { postgres: PG_URL } : {});
    a = await seedShop(t.app);
    b = await seedShop(t.app);
    await call(t.app, 'POST', '/api/v1/shop/open/agent-seat/create', a.token, { shopUid: a.shopUid, seatNoList: [`${a.shopUid}-extra-1`], expireAt: '2030-01-01T00:00:00+08:00' });
    const doc = JSON.parse((await t.app.inject({ method: 'GET', url: '/openapi.json' })).body);
    for (const [path, ops] of Object.entries<Record<string, any>>(doc.paths)) {
      for (const [method, op] of Object.entries<any>(ops)) {
        endpoints.push({
          method: method.toUpperCase(),
          path: path.replace(/\{[^}]+\}/g, 'x'),
          bodyFields: Object.keys(op.requestBody?.content?.['application/json']?.schema?.properties ?? {}),
          queryFields: (op.parameters ?? []).filter((p: any) => p.in === 'query').map((p: any) => p.name),
        });
      }
    }
  });

  after(async () => {
    await t?.close();
  });

  test('openapi lists the open API, widget and health endpoints', () => {
    const paths = endpoints.map((e) => e.path);
    for (const p of ['/api/v1/shop/open/onboard', '/api/v1/shop/open/binding', '/api/v1/shop/open/agent-seat/query', '/api/v1/shop/open/token/create', '/api/v1/shop/widget/config', '/healthz']) {
      assert.ok(paths.includes(p), `${p} missing from /openapi.json`);
    }
    assert.ok(endpoints.length >= 18, `only ${endpoints.length} endpoints`);
  });

  // ---- generators ----
  const HUGE = 'x'.repeat(200_000);
  const unicode = fc.string({ unit: 'binary', maxLength: 40 });
  const known = () => fc.constantFrom(a.shopUid, b.shopUid, `${a.shopUid}-extra-1`, `${a.shopUid}-base-1`, a.tokenUid, b.tokenUid, `sc_rt_${'f'.repeat(43)}`, '13800138005');
  const leaf = () =>
    fc.oneof(
      { weight: 3, arbitrary: known() },
      { weight: 3, arbitrary: fc.string({ maxLength: 30 }) },
      { weight: 2, arbitrary: unicode },
      { weight: 2, arbitrary: fc.integer() },
      fc.double(),
      fc.boolean(),
      fc.constant(null),
      fc.constantFrom(HUGE, '\u0000', '😀'.repeat(5000), '<script>alert(1)</script>', "' OR 1=1 --", '../../etc/passwd', '2027-09-10T23:59:59+08:00', '0000-01-01T00:00:00+23:59', 'a\u0000b', 'NaN', '-1', '1e309', '__proto__', 'constructor'),
    );
  let valueArb: fc.Arbitrary<unknown> | undefined;
  const mkValue = () => fc.letrec((tie) => ({
    v: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf(), fc.array(tie('v'), { maxLength: 4 }), fc.dictionary(fc.string({ maxLength: 8 }), tie('v'), { maxKeys: 4 })),
  })).v;
  const valueOf = () => (valueArb ??= mkValue());

  const PROTO_JSON = [
    '{"__proto__":{"polluted":"yes"}}',
    '{"constructor":{"prototype":{"polluted":"yes"}}}',
    '{"shopUid":"s","__proto__":{"isAdmin":true,"polluted":"yes"}}',
    '{"a":{"__proto__":{"polluted":"yes"}},"b":[{"__proto__":{"polluted":"yes"}}]}',
    '{"seatNoList":[{"constructor":{"prototype":{"polluted":"yes"}}}]}',
  ];
  const MALFORMED = ['{', '{"a":', '{"a":1,}', "{'a':1}", 'nul', '[1,2', '"\\ud800"', '{"a":"\\u12"}', '\u0000', '{"a":1}{"b":2}', ' ', '{"a":1e999999}'];

  function bodyFor(e: Endpoint) {
    const obj = fc
      .tuple(
        fc.subarray(e.bodyFields),
        fc.array(valueOf(), { minLength: e.bodyFields.length, maxLength: e.bodyFields.length }),
        fc.dictionary(fc.string({ maxLength: 10 }), valueOf(), { maxKeys: 3 }),
      )
      .map(([fields, vals, extra]) => {
        const o: Record<string, unknown> = {};
        fields.forEach((f, i) => (o[f] = vals[i]));
        return JSON.stringify({ ...extra, ...o });
      });
    return fc.oneof(
      { weight: 6, arbitrary: obj },
      { weight: 1, arbitrary: fc.constantFrom(...PROTO_JSON) },
      { weight: 1, arbitrary: fc.constantFrom(...MALFORMED) },
      { weight: 1, arbitrary: valueOf().map((v) => JSON.stringify(v) ?? 'null') },
      { weight: 1, arbitrary: fc.constant(undefined) },
    );
  }

  function queryFor(e: Endpoint) {
    const fields = [...e.queryFields, 'shopUid', 'uid', 'seatNo'];
    const pair = fc.tuple(fc.constantFrom(...fields, '__proto__[polluted]', 'constructor[prototype][polluted]', 'a[b][c]', '', '%', '=&='), leaf()).map(([k, v]) => {
      const s = typeof v === 'string' ? v : JSON.stringify(v);
      return `${encodeURIComponent(k).replace('%5B', '[').replace('%5D', ']')}=${encodeURIComponent(s.slice(0, 5000))}`;
    });
    return fc.oneof(
      { weight: 6, arbitrary: fc.array(pair, { maxLength: 5 }).map((p) => p.join('&')) },
      { weight: 1, arbitrary: fc.constantFrom('%E0%A4%A', '%%%', 'shopUid=a%00b', 'shopUid=x&goodsUid=%00', 'uid=%00&seatNo=%00', 'shopUid=a&shopUid=b&shopUid=c', 'shopUid', ';;;&&&===', 'x='.repeat(2000), `shopUid=${'a'.repeat(10_000)}`, '__proto__=1&constructor=2', 'shopUid[]=1&shopUid[x]=2') },
    );
  }

  const CONTENT_TYPES = ['application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=xyz', 'application/xml', 'application/json; charset=latin1', 'a/b/c;;', ''];
  const TOKENS = () => fc.constantFrom<string | null>(ADMIN, a.token, b.token, null, 'garbage', 'sc_at_notarealtoken', ADMIN + 'x');

  test(`fuzz [${kind}]: ${RUNS} generated requests across every endpoint: no 5xx, envelope on errors`, { timeout: 8 * 60_000 }, async () => {
    let sent = 0;
    const statuses = new Map<number, number>();
    const gen = fc.integer({ min: 0, max: endpoints.length - 1 }).chain((i) => {
      const e = endpoints[i]!;
      return fc.record({
        e: fc.constant(e),
        method: fc.oneof({ weight: 12, arbitrary: fc.constant(e.method) }, fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD')),
        query: queryFor(e),
        body: bodyFor(e),
        contentType: fc.oneof({ weight: 6, arbitrary: fc.constant('application/json') }, fc.constantFrom(...CONTENT_TYPES)),
        token: TOKENS(),
      });
    });
    await fc.assert(
      fc.asyncProperty(gen, async (r) => {
        const url = r.e.path + (r.query ? `?${r.query}` : '');
        const hasBody = r.body !== undefined && !['GET', 'HEAD'].includes(r.method);
        const res = await t.app.inject({
          method: r.method as 'GET',
          url,
          headers: {
            ...(r.token ? { authorization: `Bearer ${r.token}` } : {}),
            ...(hasBody && r.contentType ? { 'content-type': r.contentType } : {}),
          },
          ...(hasBody ? { payload: r.body } : {}),
        });
        sent++;
        statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
        assert.ok(res.statusCode < 500, `${r.method} ${url.slice(0, 200)} → ${res.statusCode}: ${res.body.slice(0, 300)}`);
        if (res.statusCode >= 400 && r.method !== 'HEAD') {
          const j = JSON.parse(res.body);
          assert.equal(j.code, res.statusCode, `envelope code ≠ status for ${r.method} ${url.slice(0, 120)}: ${res.body.slice(0, 200)}`);
          assert.equal(typeof j.message, 'string');
        }
        assert.equal(({} as Record<string, unknown>).polluted, undefined, 'Object.prototype polluted');
        assert.equal(({} as Record<string, unknown>).isAdmin, undefined, 'Object.prototype polluted');
      }),
      { numRuns: RUNS, verbose: 1 },
    );
    console.log(`fuzz [${kind}]: ${sent} requests; statuses ${[...statuses].sort((x, y) => x[0] - y[0]).map(([s, n]) => `${s}×${n}`).join(' ')}`);
    assert.ok(sent >= 10_000 || process.env.FUZZ_RUNS !== undefined, `only ${sent} requests`);
    // The fuzz must reach the handlers, not only bounce at auth / validation.
    assert.ok((statuses.get(200) ?? 0) > 50, 'fewer than 50 requests succeeded: the generator does not reach the handlers');
    assert.ok((statuses.get(400) ?? 0) > 500, 'fewer than 500 validation errors');
  });

  test('oversized and bad-content-type bodies on every POST: 4xx, never 5xx', async () => {
    const big = JSON.stringify({ shopUid: a.shopUid, pad: 'x'.repeat(1_100_000) });
    for (const e of endpoints.filter((x) => x.method === 'POST')) {
      for (const [ct, body] of [
        ['application/json', big],
        ['text/plain', 'hello'],
        ['application/json', ''],
        ['application/x-www-form-urlencoded', 'shopUid=x&__proto__[polluted]=1'],
      ] as const) {
        const res = await t.app.inject({ method: 'POST', url: e.path, headers: { authorization: `Bearer ${ADMIN}`, 'content-type': ct }, payload: body });
        assert.ok(res.statusCode >= 400 && res.statusCode < 500, `${e.path} ${ct} (${body.length} B) → ${res.statusCode}: ${res.body.slice(0, 200)}`);
      }
    }
  });

  test('after the fuzz: /healthz answers, data intact, Object.prototype untouched', async () => {
    const h = await call(t.app, 'GET', '/healthz', null);
    assert.equal(h.status, 200);
    assert.equal(h.json.data.status, 'ok');
    // The admin's token: the fuzz may legitimately have revoked or deleted a's token (its uid is a known value).
    const bind = await call(t.app, 'GET', `/api/v1/shop/open/binding?shopUid=${a.shopUid}`, ADMIN);
    assert.equal(bind.status, 200, bind.body.slice(0, 200));
    assert.equal(bind.json.data.shopUid, a.shopUid);
    assert.deepEqual(Object.getOwnPropertyNames(Object.prototype).sort(), protoKeysBefore);
    for (const k of ['polluted', 'isAdmin']) assert.equal(k in {}, false, `Object.prototype.${k} exists`);
  });
}

describe('fuzz [sqlite]', () => fuzzSuite('sqlite'));
if (PG_URL) describe('fuzz [postgres]', () => fuzzSuite('postgres'));
else postgresMissing('fuzz [postgres]');
