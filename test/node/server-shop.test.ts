import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createOrgToken, describeEachBackend, json, onboardShop, uniqueShop } from './helpers/server.ts';

const TS = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;
const SHOP_KEYS = [
  'uid', 'userUid', 'orgUid', 'level', 'platform', 'createdAt', 'updatedAt', 'name', 'shopUid', 'description', 'logo',
  'type', 'status', 'expireAt', 'enabled', 'vipLevel', 'agents', 'agentSeats', 'workgroups',
];
const SEAT_KEYS = [
  'uid', 'userUid', 'orgUid', 'level', 'platform', 'createdAt', 'updatedAt', 'seatNo', 'source', 'status', 'baseSeat',
  'expireAt', 'assignedAgentUid', 'assignedMemberUid', 'assignedAt', 'releasedAt', 'type',
];

describeEachBackend('shop open API', (h, kind) => {
  test('onboard creates user, organisation, shop, base seat, workgroup and agent (seed shape)', async () => {
    const { shopUid, mobile } = uniqueShop();
    const res = await h().call('POST', '/api/v1/shop/open/onboard', { mobile, shopUid, shopName: '演示店铺', shopLogo: 'https://example.com/logo.png' });
    assert.equal(res.statusCode, 200);
    const body = json(res);
    assert.deepEqual(Object.keys(body), ['message', 'code', 'data']);
    assert.equal(body.message, 'success');
    assert.equal(body.code, 200);
    assert.equal(body.data.mobile, mobile);
    assert.equal(body.data.country, '86', 'country defaults to 86');
    assert.equal(body.data.shopList.length, 1);
    const shop = body.data.shopList[0];
    assert.deepEqual(Object.keys(shop), SHOP_KEYS);
    assert.equal(shop.shopUid, shopUid);
    assert.equal(shop.name, '演示店铺');
    assert.equal(shop.logo, 'https://example.com/logo.png');
    assert.equal(shop.type, 'FLAGSHIP');
    assert.equal(shop.enabled, true);
    assert.equal(shop.vipLevel, 0);
    assert.match(shop.orgUid, /^org_/);
    assert.match(shop.createdAt, TS);
    assert.equal(shop.agents.length, 1);
    assert.deepEqual(shop.agents[0], { uid: shop.agents[0].uid, nickname: mobile, avatar: null, status: null, enabled: true, seatExpireAt: null });
    assert.equal(shop.agentSeats.length, 1);
    const seat = shop.agentSeats[0];
    assert.deepEqual(Object.keys(seat), SEAT_KEYS);
    assert.equal(seat.seatNo, `${shopUid}-base-1`);
    assert.equal(seat.source, 'BASE');
    assert.equal(seat.baseSeat, true);
    assert.equal(seat.status, 'AVAILABLE');
    assert.equal(seat.type, 'CUSTOMER');
    assert.equal(seat.orgUid, shop.orgUid);
    assert.equal(seat.expireAt, null);
    assert.equal(shop.workgroups.length, 1);
    assert.equal(shop.workgroups[0].nickname, '演示店铺');
    assert.match(shop.workgroups[0].uid, /^wg_/);
  });

  test('onboard of an existing shopUid reuses its organisation and updates name/logo; shopList lists the user’s shops', async () => {
    const first = await onboardShop(h());
    const again = await h().call('POST', '/api/v1/shop/open/onboard', {
      mobile: first.mobile,
      shopUid: first.shopUid,
      shopName: 'Renamed',
      shopLogo: 'https://example.com/new.png',
    });
    assert.equal(again.statusCode, 200);
    const list = json(again).data.shopList;
    assert.equal(list.length, 1);
    assert.equal(list[0].orgUid, first.shop.orgUid);
    assert.equal(list[0].name, 'Renamed');
    assert.equal(list[0].logo, 'https://example.com/new.png');
    assert.equal(list[0].agentSeats.length, 1, 'no second base seat');

    // A second shop for the same mobile: a new organisation, and both shops listed.
    const other = uniqueShop();
    const second = await h().call('POST', '/api/v1/shop/open/onboard', { mobile: first.mobile, shopUid: other.shopUid, shopName: 'Second' });
    assert.equal(second.statusCode, 200);
    const shops = json(second).data.shopList;
    assert.deepEqual(shops.map((s: { shopUid: string }) => s.shopUid).sort(), [first.shopUid, other.shopUid].sort());
    const secondShop = shops.find((s: { shopUid: string }) => s.shopUid === other.shopUid);
    assert.notEqual(secondShop.orgUid, first.shop.orgUid);
    // The user's current organisation switched to the new shop's organisation.
    const user = await h().db.selectFrom('users').selectAll().where('mobile', '=', first.mobile).executeTakeFirstOrThrow();
    assert.equal(user.current_org_uid, secondShop.orgUid);
  });

  test('onboard validates input: missing mobile, bad country, missing shopUid → 400 naming the field', async () => {
    let res = await h().call('POST', '/api/v1/shop/open/onboard', { shopUid: 'x' });
    assert.equal(res.statusCode, 400);
    assert.deepEqual(json(res), { message: 'mobile: Required', code: 400, data: null });
    res = await h().call('POST', '/api/v1/shop/open/onboard', { mobile: '13800138000' });
    assert.equal(res.statusCode, 400);
    assert.match(json(res).message, /^shopUid: /);
    res = await h().call('POST', '/api/v1/shop/open/onboard', { mobile: '13800138000', shopUid: 'x', country: 'CN' });
    assert.equal(res.statusCode, 400);
    assert.match(json(res).message, /^country: /);
    res = await h().call('POST', '/api/v1/shop/open/onboard', { mobile: 'not-a-phone', shopUid: 'x' });
    assert.equal(res.statusCode, 400);
    assert.match(json(res).message, /^mobile: /);
  });

  test('onboard needs the administrator: org token 403, no token 401', async () => {
    const { shopUid } = await onboardShop(h());
    const token = await createOrgToken(h(), shopUid);
    const other = uniqueShop();
    let res = await h().call('POST', '/api/v1/shop/open/onboard', { mobile: other.mobile, shopUid: other.shopUid }, token.accessToken);
    assert.equal(res.statusCode, 403);
    assert.equal(json(res).code, 403);
    res = await h().call('POST', '/api/v1/shop/open/onboard', { mobile: other.mobile, shopUid: other.shopUid }, null);
    assert.equal(res.statusCode, 401);
    assert.equal(json(res).code, 401);
  });

  test('binding returns { shopUid, shop } with agents, seats, workgroups; unknown shop 404; other org 403', async () => {
    const a = await onboardShop(h());
    const b = await onboardShop(h());
    let res = await h().call('GET', `/api/v1/shop/open/binding?shopUid=${encodeURIComponent(a.shopUid)}`);
    assert.equal(res.statusCode, 200);
    const data = json(res).data;
    assert.deepEqual(Object.keys(data), ['shopUid', 'shop']);
    assert.equal(data.shopUid, a.shopUid);
    assert.deepEqual(Object.keys(data.shop), SHOP_KEYS);
    assert.equal(data.shop.agentSeats[0].seatNo, `${a.shopUid}-base-1`);

    res = await h().call('GET', '/api/v1/shop/open/binding?shopUid=nope_unknown');
    assert.equal(res.statusCode, 404);
    assert.equal(json(res).code, 404);

    res = await h().call('GET', '/api/v1/shop/open/binding');
    assert.equal(res.statusCode, 400);
    assert.equal(json(res).message, 'shopUid: Required');

    const tokenA = await createOrgToken(h(), a.shopUid);
    res = await h().call('GET', `/api/v1/shop/open/binding?shopUid=${a.shopUid}`, undefined, tokenA.accessToken);
    assert.equal(res.statusCode, 200);
    res = await h().call('GET', `/api/v1/shop/open/binding?shopUid=${b.shopUid}`, undefined, tokenA.accessToken);
    assert.equal(res.statusCode, 403);
    assert.equal(json(res).code, 403);
  });

  test('update changes name and/or logo; needs one of them; org token limited to its shop', async () => {
    const a = await onboardShop(h());
    const b = await onboardShop(h());
    let res = await h().call('POST', '/api/v1/shop/open/update', { shopUid: a.shopUid, shopName: '新店铺名称' });
    assert.equal(res.statusCode, 200);
    let shop = json(res).data;
    assert.deepEqual(Object.keys(shop), SHOP_KEYS);
    assert.equal(shop.name, '新店铺名称');
    assert.equal(shop.logo, 'https://example.com/logo.png');
    res = await h().call('POST', '/api/v1/shop/open/update', { shopUid: a.shopUid, shopLogo: 'https://example.com/new-logo.png' });
    shop = json(res).data;
    assert.equal(shop.name, '新店铺名称');
    assert.equal(shop.logo, 'https://example.com/new-logo.png');

    res = await h().call('POST', '/api/v1/shop/open/update', { shopUid: a.shopUid });
    assert.equal(res.statusCode, 400);
    assert.match(json(res).message, /^shopName: shopName or shopLogo is required/);

    res = await h().call('POST', '/api/v1/shop/open/update', { shopUid: 'nope_unknown', shopName: 'x' });
    assert.equal(res.statusCode, 404);

    const tokenA = await createOrgToken(h(), a.shopUid);
    res = await h().call('POST', '/api/v1/shop/open/update', { shopUid: a.shopUid, shopName: 'By token' }, tokenA.accessToken);
    assert.equal(res.statusCode, 200);
    res = await h().call('POST', '/api/v1/shop/open/update', { shopUid: b.shopUid, shopName: 'Hijack' }, tokenA.accessToken);
    assert.equal(res.statusCode, 403);
  });

  test('vip-level sets shop and organisation level and capacity, keeps extra seats and their expiry', async () => {
    const a = await onboardShop(h());
    const created = await h().call('POST', '/api/v1/shop/open/agent-seat/create', {
      shopUid: a.shopUid,
      seatNoList: [`${a.shopUid}-extra-1`],
      expireAt: '2027-09-10T23:59:59+08:00',
    });
    assert.equal(created.statusCode, 200);
    const res = await h().call('POST', '/api/v1/shop/open/shop/vip-level', {
      shopUid: a.shopUid,
      vipLevel: 1,
      vipExpireDate: '2027-09-10T23:59:59+08:00',
      maxMembers: 100,
      maxAgents: 30,
      maxWorkgroups: 10,
    });
    assert.equal(res.statusCode, 200);
    const shop = json(res).data;
    assert.deepEqual(Object.keys(shop), SHOP_KEYS);
    assert.equal(shop.vipLevel, 1);
    const extra = shop.agentSeats.find((s: { seatNo: string }) => s.seatNo === `${a.shopUid}-extra-1`);
    assert.equal(extra.expireAt, '2027-09-10T23:59:59+08:00');
    assert.equal(shop.agentSeats.length, 2);
    const org = await h().db.selectFrom('orgs').selectAll().where('uid', '=', a.shop.orgUid).executeTakeFirstOrThrow();
    assert.equal(Number(org.vip_level), 1);
    assert.equal(Number(org.max_members), 100);
    assert.equal(Number(org.max_agents), 30);
    assert.equal(Number(org.max_workgroups), 10);
    assert.equal(new Date(org.vip_expire_date!).toISOString(), '2027-09-10T15:59:59.000Z');

    // Back to 0 without capacities: capacities stay.
    const back = await h().call('POST', '/api/v1/shop/open/shop/vip-level', { shopUid: a.shopUid, vipLevel: 0 });
    assert.equal(json(back).data.vipLevel, 0);
    const org2 = await h().db.selectFrom('orgs').selectAll().where('uid', '=', a.shop.orgUid).executeTakeFirstOrThrow();
    assert.equal(Number(org2.max_agents), 30);
  });

  test('vip-level rules: vipLevel 0 or 1 only, capacities > 0, admin only, unknown shop 404', async () => {
    const a = await onboardShop(h());
    let res = await h().call('POST', '/api/v1/shop/open/shop/vip-level', { shopUid: a.shopUid, vipLevel: 2 });
    assert.equal(res.statusCode, 400);
    assert.match(json(res).message, /^vipLevel: /);
    res = await h().call('POST', '/api/v1/shop/open/shop/vip-level', { shopUid: a.shopUid });
    assert.equal(res.statusCode, 400);
    assert.match(json(res).message, /^vipLevel: /);
    for (const field of ['maxMembers', 'maxAgents', 'maxWorkgroups']) {
      res = await h().call('POST', '/api/v1/shop/open/shop/vip-level', { shopUid: a.shopUid, vipLevel: 1, [field]: 0 });
      assert.equal(res.statusCode, 400, field);
      assert.match(json(res).message, new RegExp(`^${field}: `));
    }
    res = await h().call('POST', '/api/v1/shop/open/shop/vip-level', { shopUid: a.shopUid, vipLevel: 1, vipExpireDate: 'tomorrow' });
    assert.equal(res.statusCode, 400);
    assert.match(json(res).message, /^vipExpireDate: /);
    res = await h().call('POST', '/api/v1/shop/open/shop/vip-level', { shopUid: 'nope_unknown', vipLevel: 1 });
    assert.equal(res.statusCode, 404);
    const token = await createOrgToken(h(), a.shopUid);
    res = await h().call('POST', '/api/v1/shop/open/shop/vip-level', { shopUid: a.shopUid, vipLevel: 1 }, token.accessToken);
    assert.equal(res.statusCode, 403);
  });

  test('20 concurrent onboards of one new shopUid: all 200, one shop, one organisation, one base seat', async () => {
    const { shopUid, mobile } = uniqueShop('race');
    const orgsBefore = Number((await h().db.selectFrom('orgs').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    const results = await Promise.all(
      Array.from({ length: 20 }, () => h().call('POST', '/api/v1/shop/open/onboard', { mobile, shopUid, shopName: 'Race' })),
    );
    assert.deepEqual(
      results.map((r) => r.statusCode),
      Array(20).fill(200),
      `statuses (${kind}): ${results.map((r) => `${r.statusCode}${r.statusCode === 200 ? '' : ` ${r.body}`}`).join(', ')}`,
    );
    const orgUids = new Set(results.map((r) => json(r).data.shopList[0].orgUid));
    assert.equal(orgUids.size, 1);
    const shops = await h().db.selectFrom('shops').selectAll().where('shop_uid', '=', shopUid).execute();
    assert.equal(shops.length, 1);
    const orgsAfter = Number((await h().db.selectFrom('orgs').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    assert.equal(orgsAfter - orgsBefore, 1, 'exactly one new organisation');
    const seats = await h().db.selectFrom('seats').selectAll().where('shop_uid', '=', shops[0]!.uid).execute();
    assert.equal(seats.length, 1);
    const users = await h().db.selectFrom('users').selectAll().where('mobile', '=', mobile).execute();
    assert.equal(users.length, 1);
    const agents = await h().db.selectFrom('agents').selectAll().where('shop_uid', '=', shops[0]!.uid).execute();
    assert.equal(agents.length, 1);
    const wgs = await h().db.selectFrom('workgroups').selectAll().where('shop_uid', '=', shops[0]!.uid).execute();
    assert.equal(wgs.length, 1);
  });
});

describeEachBackend(
  'onboard with SHOP_CHAT_AUTO_REGISTER=false',
  (h) => {
    test('an unknown mobile is refused with a clear message; nothing is created', async () => {
      const { shopUid, mobile } = uniqueShop();
      const res = await h().call('POST', '/api/v1/shop/open/onboard', { mobile, shopUid });
      assert.equal(res.statusCode, 404);
      assert.match(json(res).message, /auto registration is disabled/);
      const shops = await h().db.selectFrom('shops').selectAll().where('shop_uid', '=', shopUid).execute();
      assert.equal(shops.length, 0);
    });
  },
  { env: { SHOP_CHAT_AUTO_REGISTER: 'false' } },
);
