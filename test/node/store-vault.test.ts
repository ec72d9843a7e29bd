import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseStoreConfig, storeConfigSchema } from '../../src/server/store/config.ts';
import { DEV_KEY_FILE, Vault, VaultError, createVault } from '../../src/server/store/vault.ts';
import { captureLogger } from '../fakes/store-harness.ts';

const b64 = () => randomBytes(32).toString('base64');

describe('store vault', () => {
  it('round-trips with AES-256-GCM, a random IV and a key id prefix', () => {
    const v = new Vault(randomBytes(32));
    const a = v.encrypt('fake-token-value', 'row1:access');
    const b = v.encrypt('fake-token-value', 'row1:access');
    assert.notEqual(a, b, 'random IV');
    assert.match(a, new RegExp(`^v1\\.${v.keyId}\\.`));
    assert.ok(!a.includes('fake-token-value'));
    assert.equal(v.decrypt(a, 'row1:access'), 'fake-token-value');
  });

  it('binds the row id as associated data and detects tampering', () => {
    const v = new Vault(randomBytes(32));
    const sealed = v.encrypt('secret', 'row1:access');
    assert.throws(() => v.decrypt(sealed, 'row2:access'), VaultError);
    const raw = Buffer.from(sealed.split('.')[2]!, 'base64url');
    raw[raw.length - 1]! ^= 1;
    assert.throws(() => v.decrypt(`v1.${v.keyId}.${raw.toString('base64url')}`, 'row1:access'), VaultError);
  });

  it('rotates keys: old ciphertexts decrypt with SHOP_CHAT_SECRET_KEY_PREVIOUS, new ones use the new key', () => {
    const oldKey = b64();
    const newKey = b64();
    const oldVault = createVault({ secretKey: oldKey });
    const sealed = oldVault.encrypt('value', 'r');
    const rotated = createVault({ secretKey: newKey, previousKeys: oldKey });
    assert.equal(rotated.decrypt(sealed, 'r'), 'value');
    assert.ok(rotated.isStale(sealed));
    assert.ok(!rotated.isStale(rotated.encrypt('value', 'r')));
    assert.throws(() => createVault({ secretKey: newKey }).decrypt(sealed, 'r'), /no key with id/);
  });

  it('generates a development key once, mode 0600, with a warning', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vault-'));
    try {
      const { log, lines } = captureLogger();
      const v1 = createVault({ dataDir: dir, log });
      const file = join(dir, DEV_KEY_FILE);
      assert.equal(statSync(file).mode & 0o777, 0o600);
      assert.ok(lines.some((l) => l.includes('SHOP_CHAT_SECRET_KEY is not set')));
      const v2 = createVault({ dataDir: dir });
      assert.equal(v2.decrypt(v1.encrypt('x', 'a'), 'a'), 'x', 'the same key is reused');
      assert.ok(!lines.join('\n').includes(readFileSync(file, 'utf8').trim()), 'the key is never logged');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses to start without a key under NODE_ENV=production', () => {
    assert.throws(() => createVault({ nodeEnv: 'production', dataDir: '/nonexistent' }), /SHOP_CHAT_SECRET_KEY is required/);
    const r = storeConfigSchema.safeParse({ NODE_ENV: 'production' });
    assert.equal(r.success, false);
    assert.deepEqual(r.error?.issues[0]?.path, ['SHOP_CHAT_SECRET_KEY']);
    assert.ok(storeConfigSchema.safeParse({ NODE_ENV: 'production', SHOP_CHAT_SECRET_KEY: b64() }).success);
  });

  it('config: validates the key, the sweep switch, and requires a webhook secret with a webhook URL', () => {
    assert.equal(storeConfigSchema.safeParse({ SHOP_CHAT_SECRET_KEY: 'short' }).success, false);
    assert.equal(parseStoreConfig({ SHOP_CHAT_REFRESH_SWEEP: 'off' }).SHOP_CHAT_REFRESH_SWEEP, 'off');
    assert.equal(storeConfigSchema.safeParse({ SHOP_CHAT_REFRESH_SWEEP: 'maybe' }).success, false);
    const w = storeConfigSchema.safeParse({ SHOP_CHAT_WEBHOOK_URL: 'https://example.test/hook' });
    assert.deepEqual(w.error?.issues[0]?.path, ['SHOP_CHAT_WEBHOOK_SECRET']);
    const c = parseStoreConfig({});
    assert.equal(c.SHOPLAZZA_BASE_DOMAIN, 'myshoplaza.com');
    assert.equal(c.FKW_BASE_URL, 'https://waybill.api.jz.fkw.com');
  });

  it('fingerprints are keyed and stable', () => {
    const v = new Vault(randomBytes(32));
    assert.equal(v.fingerprint('YOUZAN', 'a', 'b'), v.fingerprint('YOUZAN', 'a', 'b'));
    assert.notEqual(v.fingerprint('YOUZAN', 'ab', ''), v.fingerprint('YOUZAN', 'a', 'b'));
    assert.notEqual(new Vault(randomBytes(32)).fingerprint('x'), v.fingerprint('x'));
  });
});
