import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatMoney } from '../../src/shared/index.ts';

test('prices read ¥99.00 in Chinese and in English (not CN¥)', () => {
  assert.equal(formatMoney(99), '¥99.00');
  assert.equal(formatMoney(99, 'zh-CN'), '¥99.00');
  assert.equal(formatMoney(99, 'en'), '¥99.00');
  assert.equal(formatMoney(1234.5, 'en-US'), '¥1,234.50');
});

test('another currency is shown with its own symbol', () => {
  assert.equal(formatMoney(5, 'en-US', 'USD'), '$5.00');
});

test('an unknown locale or currency falls back to zh-CN yuan, and is cached', () => {
  assert.equal(formatMoney(1, 'not a locale!'), '¥1.00');
  assert.equal(formatMoney(2, 'en', 'NOT-A-CURRENCY'), '¥2.00');
  assert.equal(formatMoney(3, 'en', 'NOT-A-CURRENCY'), '¥3.00');
});
