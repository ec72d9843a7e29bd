// The server's zod schemas and the browser's validator are both derived from card-spec.ts:
// they must accept and refuse the same cards and produce the same values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { runs } from '../helpers/runs.ts';
import { GoodsInfo, OrderInfo } from '../../src/shared/cards-zod.ts';
import { parseGoodsInfo, parseOrderInfo } from '../../src/shared/cards.ts';

const scalar = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom('99', '1.5', '-1', 'abc', 'https://x.com/a', 'javascript:alert(1)', '/pages/a?b=1', '//evil', 'ON_SHELF', 'x'.repeat(101), ''),
  fc.integer({ min: -5, max: 1000 }),
  fc.double({ noNaN: false }),
  fc.boolean(),
  fc.constant(null),
);
const value = fc.oneof(scalar, fc.array(scalar, { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 5 }), scalar, { maxKeys: 3 }));
const keys = ['uid', 'goodsUid', 'type', 'shopUid', 'title', 'description', 'price', 'image', 'url', 'quantity', 'status', 'tagList', 'extra', 'navigateToPath', 'totalAmount', 'goods', 'shippingAddress', 'visitorUid', 'statusText', '__proto__', 'other'];
const card = fc.dictionary(fc.constantFrom(...keys), value, { maxKeys: 8 });

test('zod schema and browser validator agree on generated goods and orders', () => {
  fc.assert(
    fc.property(card, fc.boolean(), (input, withUid) => {
      const c = withUid ? { uid: 'u1', ...input } : input;
      const z = GoodsInfo.safeParse(c);
      const b = parseGoodsInfo(c);
      assert.equal(b.ok, z.success, JSON.stringify(c));
      if (b.ok && z.success) assert.deepEqual(JSON.parse(JSON.stringify(b.value)), JSON.parse(JSON.stringify(z.data)));
      const zo = OrderInfo.safeParse(c);
      const bo = parseOrderInfo(c);
      assert.equal(bo.ok, zo.success, JSON.stringify(c));
      if (bo.ok && zo.success) assert.deepEqual(JSON.parse(JSON.stringify(bo.value)), JSON.parse(JSON.stringify(zo.data)));
    }),
    { numRuns: runs(3000) },
  );
});

test('the seed example order passes both, nested goods and all', () => {
  const order = {
    uid: 'order_demo_001', type: 'ORDER', visitorUid: 'visitor_demo_001', shopUid: 'shop_demo_005', time: '2026-03-11 10:30:00',
    status: 'paid', statusText: '待发货', totalAmount: 99, paymentMethod: '支付宝',
    navigateToPath: '/pages/order/detail/index?type=order&orderUid=order_demo_001&shopUid=shop_demo_005',
    goods: { uid: 'goods_demo_001', title: '演示商品', shopUid: 'shop_demo_005', navigateToPath: '/pages/goods/detail/index?type=goods&goodsUid=goods_demo_001&shopUid=shop_demo_005' },
  };
  assert.deepEqual(OrderInfo.parse(order), order);
  assert.deepEqual(parseOrderInfo(order), { ok: true, value: order });
});

test('the zod schema carries into JSON Schema (OpenAPI) with its limits', async () => {
  const { z } = await import('zod');
  const json = JSON.stringify(z.toJSONSchema(GoodsInfo, { io: 'input', unrepresentable: 'any' }));
  assert.match(json, /"maxLength":100/);
  assert.match(json, /ON_SHELF/);
  // The OpenAPI document names the two schemas and marks the URLs as such.
  const goods = z.toJSONSchema(GoodsInfo, { io: 'input', unrepresentable: 'any' }) as unknown as { $defs: { GoodsInfo: { properties: Record<string, unknown> } } };
  assert.match(JSON.stringify(goods.$defs.GoodsInfo.properties.image), /"format":"uri"/);
  assert.equal(GoodsInfo.meta()?.id, 'GoodsInfo');
  assert.equal(OrderInfo.meta()?.id, 'OrderInfo');
});
