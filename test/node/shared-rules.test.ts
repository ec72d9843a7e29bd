import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isMiniProgramPath, isSafeHttpUrl, LIMITS } from '../../src/shared/index.ts';

test('http(s) URLs: whole string checked, whitespace anywhere refused', () => {
  for (const ok of ['https://x.com', 'http://x.com/a?b=1#c', 'HTTPS://X.COM/']) assert.equal(isSafeHttpUrl(ok), true, ok);
  for (const bad of ['https://x.com/a b', 'https://x.com/\n', 'https://x.com/a\tb', 'javascript:alert(1)', '//x.com', '/a', 'https:///x', 'https://\\x', 'ftp://x.com', ' https://x.com', 'xhttps://x.com', 42, null]) {
    assert.equal(isSafeHttpUrl(bad), false, String(bad));
  }
  assert.equal(isSafeHttpUrl('https://x.com/' + 'a'.repeat(LIMITS.url - 14)), true);
  assert.equal(isSafeHttpUrl('https://x.com/' + 'a'.repeat(LIMITS.url - 13)), false);
});

test('mini-program paths: one leading slash, no scheme, no whitespace anywhere', () => {
  for (const ok of ['/pages/a', '/pages/a?x=1&y=2', '/', '/a?b=c:d']) assert.equal(isMiniProgramPath(ok), true, ok);
  for (const bad of ['/pages/a b', '/pages/a?x=1 2', '/pages/a\n', '//evil', '/\\evil', 'pages/a', 'https://x.com/a', '/a:b', '/a\\b', '/a?b\\c', ' /a', 42]) {
    assert.equal(isMiniProgramPath(bad), false, String(bad));
  }
  assert.equal(isMiniProgramPath('/' + 'a'.repeat(LIMITS.path - 1)), true);
  assert.equal(isMiniProgramPath('/' + 'a'.repeat(LIMITS.path)), false);
});
