import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createOrgToken, describeEachBackend, json, onboardShop } from './helpers/server.ts';

const SEAT = '/api/v1/shop/open/agent-seat';
const PAGE_KEYS = ['content', 'pageable', 'last', 'totalPages', 'totalElements', 'size', 'number', 'sort', 'first', 'numberOfElements', 'empty'];

describeEachBackend('agent seats', (h) => {
  test('create (seatNoList), detail, query page, update, delete — seed shapes', async () => {
    const { shopUid, shop } = await onboardShop(h());
    const nos = [`${shopUid}-extra-1`, `${shopUid}-extra-2`];
    let res = await h().call('POST', `${SEAT}/create`, { shopUid, seatNoList: nos, expireAt: '2027-09-10T23:59:59+08:00' });
    assert.equal(res.statusCode, 200);
    const created = json(res).data;
    assert.equal(created.length, 2);
    assert.deepEqual(created.map((s: { seatNo: string }) => s.seatNo), nos);
    for (const s of created) {
      assert.equal(s.source, 'EXTRA');
      assert.equal(s.baseSeat, false);
      assert.equal(s.status, 'AVAILABLE');
      assert.equal(s.type, 'CUSTOMER');
      assert.equal(s.orgUid, shop.orgUid);
      assert.equal(s.expireAt, '2027-09-10T23:59:59+08:00');
      assert.equal(s.userUid, null);
    }

    res = await h().call('GET', `${SEAT}/detail?shopUid=${shopUid}&seatNo=${nos[0]}`);
    assert.equal(res.statusCode, 200);
    assert.equal(json(res).data.uid, created[0].uid);
    assert.equal(json(res).data.expireAt, '2027-09-10T23:59:59+08:00');

    res = await h().call('POST', `${SEAT}/query`, { shopUid, pageNumber: 0, pageSize: 20 });
    assert.equal(res.statusCode, 200);
    const page = json(res).data;
    assert.deepEqual(Object.keys(page), PAGE_KEYS);
    assert.deepEqual(page.pageable, {
      pageNumber: 0,
      pageSize: 20,
      offset: 0,
      paged: true,
      unpaged: false,
      sort: { empty: true, sorted: false, unsorted: true },
    });
    assert.deepEqual(page.sort, { empty: true, sorted: false, unsorted: true });
    assert.equal(page.totalElements, 3);
    assert.equal(page.totalPages, 1);
    assert.equal(page.first, true);
    assert.equal(page.last, true);
    assert.equal(page.size, 20);
    assert.equal(page.number, 0);
    assert.equal(page.numberOfElements, 3);
    assert.equal(page.empty, false);
    assert.equal(page.content[0].seatNo, `${shopUid}-base-1`);

    res = await h().call('POST', `${SEAT}/query`, { shopUid, pageNumber: 1, pageSize: 2 });
    const p2 = json(res).data;
    assert.equal(p2.numberOfElements, 1);
    assert.equal(p2.totalPages, 2);
    assert.equal(p2.first, false);
    assert.equal(p2.last, true);
    assert.equal(p2.pageable.offset, 2);

    res = await h().call('POST', `${SEAT}/update`, { shopUid, seatNoList: nos, expireAt: '2028-09-10T23:59:59+08:00' });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(json(res).data.map((s: { expireAt: string }) => s.expireAt), ['2028-09-10T23:59:59+08:00', '2028-09-10T23:59:59+08:00']);

    res = await h().call('POST', `${SEAT}/delete`, { shopUid, seatNoList: nos });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(json(res), { message: 'success', code: 200, data: true });
    res = await h().call('GET', `${SEAT}/detail?shopUid=${shopUid}&seatNo=${nos[0]}`);
    assert.equal(res.statusCode, 404);
    res = await h().call('POST', `${SEAT}/query`, { shopUid });
    assert.equal(json(res).data.totalElements, 1, 'deleted seats are gone from the page; defaults page 0 size 20');
    // Soft delete: the row stays.
    const rows = await h().db.selectFrom('seats').selectAll().where('seat_no', 'in', nos).execute();
    assert.equal(rows.length, 2);
    assert.ok(rows.every((r) => r.deleted_at !== null));
  });

  test('single seatNo is accepted for create, update and delete', async () => {
    const { shopUid } = await onboardShop(h());
    let res = await h().call('POST', `${SEAT}/create`, { shopUid, seatNo: 'single-1', expireAt: '2027-01-01T00:00:00Z' });
    assert.equal(res.statusCode, 200);
    assert.equal(json(res).data[0].expireAt, '2027-01-01T08:00:00+08:00');
    res = await h().call('POST', `${SEAT}/update`, { shopUid, seatNo: 'single-1', expireAt: '2028-01-01T00:00:00+08:00' });
    assert.equal(json(res).data[0].expireAt, '2028-01-01T00:00:00+08:00');
    res = await h().call('POST', `${SEAT}/delete`, { shopUid, seatNo: 'single-1' });
    assert.equal(json(res).data, true);
  });

  test('seatNo unique per organisation among live seats: duplicate 409, reusable after delete', async () => {
    const { shopUid } = await onboardShop(h());
    const other = await onboardShop(h());
    let res = await h().call('POST', `${SEAT}/create`, { shopUid, seatNoList: ['dup-1'], expireAt: '2027-09-10T23:59:59+08:00' });
    assert.equal(res.statusCode, 200);
    res = await h().call('POST', `${SEAT}/create`, { shopUid, seatNoList: ['dup-2', 'dup-1'], expireAt: '2027-09-10T23:59:59+08:00' });
    assert.equal(res.statusCode, 409);
    assert.deepEqual(json(res), { message: 'seatNo already exists: dup-1', code: 409, data: null });
    res = await h().call('GET', `${SEAT}/detail?shopUid=${shopUid}&seatNo=dup-2`);
    assert.equal(res.statusCode, 404, 'the failed create is atomic');
    res = await h().call('POST', `${SEAT}/create`, { shopUid, seatNoList: ['x-1', 'x-1'], expireAt: '2027-09-10T23:59:59+08:00' });
    assert.equal(res.statusCode, 409);
    res = await h().call('POST', `${SEAT}/create`, { shopUid, seatNoList: [`${shopUid}-base-1`], expireAt: '2027-09-10T23:59:59+08:00' });
    assert.equal(res.statusCode, 409);
    // Another organisation may use the same number.
    res = await h().call('POST', `${SEAT}/create`, { shopUid: other.shopUid, seatNoList: ['dup-1'], expireAt: '2027-09-10T23:59:59+08:00' });
    assert.equal(res.statusCode, 200);
    // After a soft delete the number is free again.
    await h().call('POST', `${SEAT}/delete`, { shopUid, seatNoList: ['dup-1'] });
    res = await h().call('POST', `${SEAT}/create`, { shopUid, seatNoList: ['dup-1'], expireAt: '2027-09-10T23:59:59+08:00' });
    assert.equal(res.statusCode, 200);
  });

  test('validation: seatNoList or seatNo required, seatNo ≤ 128 characters, expireAt required and ISO with offset', async () => {
    const { shopUid } = await onboardShop(h());
    let res = await h().call('POST', `${SEAT}/create`, { shopUid, expireAt: '2027-09-10T23:59:59+08:00' });
    assert.equal(res.statusCode, 400);
    assert.match(json(res).message, /^seatNoList: Required/);
    res = await h().call('POST', `${SEAT}/create`, { shopUid, seatNoList: ['a'.repeat(129)], expireAt: '2027-09-10T23:59:59+08:00' });
    assert.equal(res.statusCode, 400);
    assert.match(json(res).message, /^seatNoList\.0: /);
    res = await h().call('POST', `${SEAT}/create`, { shopUid, seatNoList: ['a'.repeat(128)], expireAt: '2027-09-10T23:59:59+08:00' });
    assert.equal(res.statusCode, 200);
    res = await h().call('POST', `${SEAT}/create`, { shopUid, seatNoList: ['no-expiry'] });
    assert.equal(res.statusCode, 400);
    assert.equal(json(res).message, 'expireAt: Required');
    res = await h().call('POST', `${SEAT}/update`, { shopUid, seatNoList: ['no-expiry'] });
    assert.equal(res.statusCode, 400);
    assert.equal(json(res).message, 'expireAt: Required');
    res = await h().call('POST', `${SEAT}/create`, { shopUid, seatNoList: ['bad-date'], expireAt: '2027-09-10' });
    assert.equal(res.statusCode, 400);
    assert.match(json(res).message, /^expireAt: /);
    res = await h().call('POST', `${SEAT}/delete`, { shopUid });
    assert.equal(res.statusCode, 400);
    res = await h().call('POST', `${SEAT}/query`, { shopUid, pageSize: 0 });
    assert.equal(res.statusCode, 400);
    assert.match(json(res).message, /^pageSize: /);
    res = await h().call('GET', `${SEAT}/detail?shopUid=${shopUid}`);
    assert.equal(res.statusCode, 400);
    assert.equal(json(res).message, 'seatNo: Required');
  });

  test('update/delete of unknown seats is 404 and changes nothing; unknown shop 404', async () => {
    const { shopUid } = await onboardShop(h());
    await h().call('POST', `${SEAT}/create`, { shopUid, seatNoList: ['u-1'], expireAt: '2027-09-10T23:59:59+08:00' });
    let res = await h().call('POST', `${SEAT}/update`, { shopUid, seatNoList: ['u-1', 'u-missing'], expireAt: '2030-01-01T00:00:00+08:00' });
    assert.equal(res.statusCode, 404);
    assert.equal(json(res).message, 'seat not found: u-missing');
    res = await h().call('GET', `${SEAT}/detail?shopUid=${shopUid}&seatNo=u-1`);
    assert.equal(json(res).data.expireAt, '2027-09-10T23:59:59+08:00');
    res = await h().call('POST', `${SEAT}/delete`, { shopUid, seatNoList: ['u-missing'] });
    assert.equal(res.statusCode, 404);
    res = await h().call('POST', `${SEAT}/query`, { shopUid: 'nope_unknown' });
    assert.equal(res.statusCode, 404);
  });

  test('a seat past its expireAt reads as EXPIRED', async () => {
    const { shopUid } = await onboardShop(h());
    const soon = new Date(Date.now() + 60_000).toISOString();
    await h().call('POST', `${SEAT}/create`, { shopUid, seatNoList: ['exp-1'], expireAt: soon });
    let res = await h().call('GET', `${SEAT}/detail?shopUid=${shopUid}&seatNo=exp-1`);
    assert.equal(json(res).data.status, 'AVAILABLE');
    await h().db.updateTable('seats').set({ expire_at: new Date(Date.now() - 1000).toISOString() }).where('seat_no', '=', 'exp-1').execute();
    res = await h().call('GET', `${SEAT}/detail?shopUid=${shopUid}&seatNo=exp-1`);
    assert.equal(json(res).data.status, 'EXPIRED');
    res = await h().call('GET', `/api/v1/shop/open/binding?shopUid=${shopUid}`);
    const seat = json(res).data.shop.agentSeats.find((s: { seatNo: string }) => s.seatNo === 'exp-1');
    assert.equal(seat.status, 'EXPIRED');
  });

  test('an org token manages its own shop’s seats only (403 elsewhere)', async () => {
    const a = await onboardShop(h());
    const b = await onboardShop(h());
    const token = await createOrgToken(h(), a.shopUid);
    let res = await h().call('POST', `${SEAT}/create`, { shopUid: a.shopUid, seatNoList: ['t-1'], expireAt: '2027-09-10T23:59:59+08:00' }, token.accessToken);
    assert.equal(res.statusCode, 200);
    res = await h().call('POST', `${SEAT}/query`, { shopUid: a.shopUid }, token.accessToken);
    assert.equal(res.statusCode, 200);
    for (const [method, url, body] of [
      ['POST', `${SEAT}/query`, { shopUid: b.shopUid }],
      ['GET', `${SEAT}/detail?shopUid=${b.shopUid}&seatNo=${b.shopUid}-base-1`, undefined],
      ['POST', `${SEAT}/create`, { shopUid: b.shopUid, seatNoList: ['t-2'], expireAt: '2027-09-10T23:59:59+08:00' }],
      ['POST', `${SEAT}/update`, { shopUid: b.shopUid, seatNoList: [`${b.shopUid}-base-1`], expireAt: '2027-09-10T23:59:59+08:00' }],
      ['POST', `${SEAT}/delete`, { shopUid: b.shopUid, seatNoList: [`${b.shopUid}-base-1`] }],
    ] as const) {
      res = await h().call(method, url, body, token.accessToken);
      assert.equal(res.statusCode, 403, url);
      assert.equal(json(res).code, 403);
    }
  });
});
