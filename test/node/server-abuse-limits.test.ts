// Issue 12, limits a hostile tenant or client could walk around: concurrent refreshes of one
// refresh token, seats without bound. On SQLite and PostgreSQL.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { REFRESH_AGREEMENT_MS } from '../../src/server/services/tokens.ts';
import { createOrgToken, describeEachDatabase, json, onboardShop, type Harness } from './helpers/server.ts';

const O = '/api/v1/shop/open';

describeEachDatabase('abuse limits', (h: () => Harness) => {
  test('20 concurrent refreshes of one refresh token agree: every 200 carries the same live access token', async () => {
    const { shopUid } = await onboardShop(h());
    const t = await createOrgToken(h(), shopUid);
    const refresh = () => h().call('POST', `${O}/token/refresh`, { refreshToken: t.refreshToken }, null);
    const answers = await Promise.all(Array.from({ length: 20 }, refresh));
    const ok = answers.filter((r) => r.statusCode === 200);
    for (const r of answers) assert.ok(r.statusCode === 200 || r.statusCode === 409, r.body);
    const tokens = new Set(ok.map((r) => json(r).data.accessToken as string));
    assert.equal(tokens.size, 1, `${ok.length} × 200 with ${tokens.size} different access tokens`);
    const [access] = [...tokens];
    assert.notEqual(access, t.accessToken);
    assert.equal((await h().call('GET', `${O}/binding?shopUid=${shopUid}`, undefined, access)).statusCode, 200, 'the agreed token works');
    assert.equal((await h().call('GET', `${O}/binding?shopUid=${shopUid}`, undefined, t.accessToken)).statusCode, 401, 'the old one stopped');

    // A refresh once the agreement has passed is a new token, and the previous one stops.
    h().advanceClock(2 * REFRESH_AGREEMENT_MS);
    const later = json(await refresh()).data.accessToken as string;
    assert.notEqual(later, access);
    assert.equal((await h().call('GET', `${O}/binding?shopUid=${shopUid}`, undefined, access)).statusCode, 401);
    assert.equal((await h().call('GET', `${O}/binding?shopUid=${shopUid}`, undefined, later)).statusCode, 200);
  });
});
