// Responses are serialized by fast-json-stringify from each route's zod schema (src/server/serializer.ts)
// instead of zod's parse + JSON.stringify. Whatever a handler returns, only what the schema declares
// may leave the server: an extra property at any depth (a token hash, a secret, `__proto__`) is
// dropped, exactly as zod's strip did, and what remains is what zod would have sent.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { z } from 'zod';
import * as api from '../../src/shared/api/index.ts';
import { envelope, errorEnvelopeSchema } from '../../src/shared/api/envelope.ts';
import * as store from '../../src/shared/store/api.ts';
import { fastSerializerCompiler, responseJsonSchema } from '../../src/server/http/serializer.ts';
import { call, makeApp, seedShop } from './helpers.ts';

const LEAK = 'LEAKED-SECRET-VALUE';

/** Every response schema the routes use. */
function responseSchemas(): [string, z.ZodType][] {
  const out: [string, z.ZodType][] = [['errorEnvelopeSchema', errorEnvelopeSchema]];
  for (const [k, v] of Object.entries(api)) if (k.endsWith('ResponseSchema') && v instanceof z.ZodType) out.push([k, v]);
  for (const k of ['AuthorizeResponse', 'StatusResponse', 'RevokeResponse', 'WidgetGoodsCard'] as const) out.push([`store.${k}`, envelope(store[k] as z.ZodType)]);
  return out;
}

type Js = { type?: string | string[]; properties?: Record<string, Js>; items?: Js; enum?: unknown[]; const?: unknown; minimum?: number };

/** A value valid for the JSON Schema, with extra properties planted in every object. */
function sample(s: Js, depth = 0): unknown {
  if (s.const !== undefined) return s.const;
  if (s.enum) return s.enum[0];
  const type = Array.isArray(s.type) ? s.type.find((t) => t !== 'null') : s.type;
  switch (type) {
    case 'object': {
      const o: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(s.properties ?? {})) o[k] = sample(v, depth + 1);
      o.accessHash = LEAK;
      o.secret = LEAK;
      Object.defineProperty(o, '__proto__', { value: { polluted: LEAK }, enumerable: true });
      return o;
    }
    case 'array':
      return s.items ? [sample(s.items, depth + 1), sample(s.items, depth + 1)] : [];
    case 'string':
      return 'text';
    case 'integer':
      return 2;
    case 'number':
      return 2.5;
    case 'boolean':
      return true;
    case 'null':
      return null;
    default:
      return { note: 'unknown', secret: LEAK }; // z.unknown(): passed through, as zod did
  }
}

test('every response schema compiles to fast-json-stringify and drops undeclared properties at any depth', () => {
  const schemas = responseSchemas();
  assert.ok(schemas.length >= 12, `only ${schemas.length} response schemas found`);
  for (const [name, schema] of schemas) {
    const json = responseJsonSchema(schema);
    assert.ok(json, `${name}: no JSON Schema (would fall back to the zod serializer)`);
    const serialize = fastSerializerCompiler({ schema, method: 'GET', url: '/x', httpStatus: '200' } as never);
    const data = sample(json as Js);
    const out = serialize(data);
    const parsedByZod = schema.safeParse(data);
    if (name === 'errorEnvelopeSchema') {
      // data: z.unknown() — whatever the error carries is sent as given (zod did the same).
      assert.deepEqual(JSON.parse(out), JSON.parse(JSON.stringify(parsedByZod.success ? parsedByZod.data : data)));
      continue;
    }
    assert.equal(out.includes(LEAK), false, `${name}: an undeclared property was serialized`);
    assert.equal(out.includes('polluted'), false, `${name}: __proto__ was serialized`);
    assert.ok(parsedByZod.success, `${name}: the sample is not valid for zod: ${parsedByZod.error?.message}`);
    assert.deepEqual(JSON.parse(out), JSON.parse(JSON.stringify(parsedByZod.data)), `${name}: differs from what zod would have sent`);
  }
});

test('a handler returning a database row with extra columns sends the schema fields only (real route)', async () => {
  const t = await makeApp('serializer');
  try {
    const s = await seedShop(t.app);
    const r = await call(t.app, 'GET', `/api/v1/shop/open/binding?shopUid=${s.shopUid}`, s.token);
    assert.equal(r.status, 200);
    const keys = Object.keys(r.json.data.shop).sort();
    const declared = Object.keys((api.bindingResponseSchema.shape.data as z.ZodObject).shape.shop.shape).sort();
    assert.deepEqual(keys, declared);
    for (const col of ['access_hash', 'org_uid', 'shop_uid', 'deleted_at', 'vip_expire_date']) assert.equal(r.body.includes(`"${col}"`), false, col);
  } finally {
    await t.close();
  }
});
