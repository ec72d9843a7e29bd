// The OpenAPI document at /openapi.json: clean under `redocly lint` (recommended rules, no error and
// no warning), every operation named and described from the seed, public routes marked so, and
// usable: openapi-typescript's types of it type-check a small client (and refuse a wrong one).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import openapiTS, { astToString } from 'openapi-typescript';
import { ROOT } from '../e2e/helpers.ts';
import { createHarness, type Harness } from './helpers/server.ts';

const run = promisify(execFile);
type Json = Record<string, any>;

describe('OpenAPI document', () => {
  let h: Harness;
  let doc: Json;
  let dir: string;
  const operations = () =>
    Object.entries(doc.paths as Record<string, Record<string, Json>>).flatMap(([path, item]) => Object.entries(item).map(([method, op]) => ({ key: `${method.toUpperCase()} ${path}`, op })));

  before(async () => {
    h = await createHarness('sqlite', { env: { SHOP_CHAT_PUBLIC_URL: 'https://chat.example.org' } });
    const res = await h.app.inject({ method: 'GET', url: '/openapi.json' });
    assert.equal(res.statusCode, 200);
    doc = res.json();
    dir = mkdtempSync(join(tmpdir(), 'shop-chat-openapi-'));
    writeFileSync(join(dir, 'openapi.json'), res.body);
  });
  after(async () => {
    await h?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('passes redocly lint with its recommended rules: 0 errors, 0 warnings', async () => {
    const cli = join(ROOT, 'node_modules/@redocly/cli/bin/cli.js');
    const result = await run(process.execPath, [cli, 'lint', 'openapi.json', '--extends=recommended', '--format=json'], { cwd: dir, timeout: 120_000, env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' } }).catch(
      (e: { stdout: string; stderr: string }) => e,
    );
    const report = JSON.parse(result.stdout.slice(result.stdout.indexOf('{')));
    const problems = (report.problems as { ruleId: string; severity: string; message: string }[]).map((p) => `${p.severity} ${p.ruleId}: ${p.message}`);
    assert.deepEqual(problems, []);
    assert.deepEqual([report.totals.errors, report.totals.warnings], [0, 0]);
  });

  it('every operation has an operationId, a summary and a description; 200s are named', () => {
    const ids = new Set<string>();
    for (const { key, op } of operations()) {
      assert.match(op.operationId ?? '', /^[a-z][A-Za-z]+$/, `${key}: operationId`);
      assert.ok(!ids.has(op.operationId), `${key}: operationId ${op.operationId} used twice`);
      ids.add(op.operationId);
      assert.ok(op.summary, `${key}: summary`);
      assert.ok(op.description && op.description !== op.summary, `${key}: description`);
      for (const [code, r] of Object.entries(op.responses as Record<string, Json>)) assert.notEqual(r.description, 'Default Response', `${key} ${code}`);
    }
    assert.equal(ids.size, 25);
    // Descriptions come from the seeds (000: shop open API, 004: store authorisation).
    const byId = Object.fromEntries(operations().map(({ op }) => [op.operationId, op.description as string]));
    assert.match(byId.onboardShop!, /^通过手机号\+店铺信息对接/);
    assert.match(byId.deleteAgentSeats!, /软删除/);
    assert.match(byId.authorizeStore!, /^店铺授权/);
  });

  it('servers, public routes with security [], bearer on the rest, no type-less nullable', () => {
    assert.deepEqual(doc.servers.map((s: Json) => s.url), ['https://chat.example.org']);
    const open = operations().filter(({ op }) => Array.isArray(op.security) && op.security.length === 0).map(({ key }) => key).sort();
    assert.deepEqual(open, [
      'GET /api/v1/shop/open/store/callback/{platform}',
      'GET /api/v1/shop/widget/config',
      'GET /api/v1/shop/widget/goods',
      'GET /healthz',
      'GET /readyz',
      'POST /api/v1/shop/open/token/refresh',
    ]);
    for (const { key, op } of operations()) if (!open.includes(key)) assert.deepEqual(op.security, [{ bearerAuth: [] }], key);
    const bare: string[] = [];
    const walk = (n: unknown, path: string) => {
      if (!n || typeof n !== 'object') return;
      if ((n as Json).nullable !== undefined && !(n as Json).type && !(n as Json).anyOf && !(n as Json).oneOf && !(n as Json).$ref) bare.push(path);
      for (const [k, v] of Object.entries(n)) walk(v, `${path}/${k}`);
    };
    walk(doc, '');
    assert.deepEqual(bare, []);
    const envelope = doc.paths['/api/v1/shop/open/binding'].get.responses['4XX'].content['application/json'].schema;
    assert.deepEqual(envelope.properties.data, { type: 'object', nullable: true, additionalProperties: true });
  });

  it('openapi-typescript types of it type-check a client, and a wrong call does not', async () => {
    writeFileSync(join(dir, 'api.d.ts'), astToString(await openapiTS(doc as never)));
    const client = `import type { paths } from './api';
type Binding = paths['/api/v1/shop/open/binding']['get'];
type Ok<Op> = Op extends { responses: { 200: { content: { 'application/json': infer B } } } } ? B : never;

export async function binding(base: string, token: string, shopUid: Binding['parameters']['query']['shopUid']): Promise<Ok<Binding>> {
  const res = await fetch(\`\${base}/api/v1/shop/open/binding?shopUid=\${encodeURIComponent(shopUid)}\`, { headers: { authorization: \`Bearer \${token}\` } });
  return (await res.json()) as Ok<Binding>;
}

export async function orgOf(base: string, token: string): Promise<string> {
  const body = await binding(base, token, 'demo_shop');
  const code: number = body.code;
  return code === 200 ? body.data.shop.orgUid : body.message;
}

type Onboard = paths['/api/v1/shop/open/onboard']['post']['requestBody'];
export const onboard: NonNullable<Onboard>['content']['application/json'] = { mobile: '13800000001', shopUid: 'shop_001', shopName: '我的小店' };
type Config = Ok<paths['/api/v1/shop/widget/config']['get']>;
export const chatUrl = (c: Config): string => c.data.chatUrl;
`;
    writeFileSync(join(dir, 'client.ts'), client);
    writeFileSync(join(dir, 'wrong.ts'), `${client}\nexport const wrong: NonNullable<Onboard>['content']['application/json'] = { shopUid: 'shop_001' };\n`);
    const tsc = (file: string) => {
      const compilerOptions = { noEmit: true, strict: true, target: 'es2022', module: 'esnext', moduleResolution: 'bundler', lib: ['es2022', 'dom'], types: [] };
      writeFileSync(join(dir, `tsconfig.${file}.json`), JSON.stringify({ compilerOptions, files: [file] }));
      return run(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', `tsconfig.${file}.json`], { cwd: dir, timeout: 120_000 }).then(
        () => '',
        (e: { stdout: string }) => e.stdout,
      );
    };
    const [good, wrong] = await Promise.all([tsc('client.ts'), tsc('wrong.ts')]);
    assert.equal(good, '');
    assert.match(wrong, /wrong\.ts.*Property 'mobile' is missing/);
  });
});
