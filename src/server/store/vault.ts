// Token vault: AES-256-GCM with a random 12-byte IV, the caller's associated data (row id and
// field) bound into the tag, and a key id in front of every ciphertext so keys can rotate:
//   v1.<keyId>.<base64url(iv | tag | ciphertext)>
import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeSecretKey } from './config.ts';

export interface VaultLogger {
  warn(obj: unknown, msg?: string): void;
}

export interface VaultOptions {
  /** SHOP_CHAT_SECRET_KEY (32 bytes, base64). */
  secretKey?: string | undefined;
  /** SHOP_CHAT_SECRET_KEY_PREVIOUS: earlier keys, comma-separated, for decryption only. */
  previousKeys?: string | undefined;
  /** Folder of the development key (next to the SQLite file). */
  dataDir?: string | undefined;
  nodeEnv?: string | undefined;
  log?: VaultLogger | undefined;
}

export class VaultError extends Error {
  override name = 'VaultError';
}

export const DEV_KEY_FILE = 'store-secret.key';

interface Key {
  id: string;
  key: Buffer;
}

const keyId = (key: Buffer) => createHash('sha256').update('shop-chat/vault-key-id').update(key).digest('hex').slice(0, 8);

export class Vault {
  readonly keyId: string;
  private readonly primary: Key;
  private readonly keys = new Map<string, Buffer>();
  private readonly macKey: Buffer;

  constructor(primary: Buffer, previous: Buffer[] = []) {
    if (primary.length !== 32) throw new VaultError('vault key must be 32 bytes');
    this.primary = { id: keyId(primary), key: primary };
    this.keyId = this.primary.id;
    for (const k of [primary, ...previous]) this.keys.set(keyId(k), k);
    this.macKey = Buffer.from(hkdfSync('sha256', primary, Buffer.alloc(0), 'shop-chat/store/mac', 32));
  }

  encrypt(plaintext: string, aad: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.primary.key, iv);
    cipher.setAAD(Buffer.from(aad, 'utf8'));
    const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return `v1.${this.primary.id}.${Buffer.concat([iv, tag, ct]).toString('base64url')}`;
  }

  decrypt(sealed: string, aad: string): string {
    const parts = sealed.split('.');
    if (parts.length !== 3 || parts[0] !== 'v1') throw new VaultError('unrecognised ciphertext');
    const key = this.keys.get(parts[1]!);
    if (!key) throw new VaultError(`no key with id ${parts[1]} (was SHOP_CHAT_SECRET_KEY rotated without SHOP_CHAT_SECRET_KEY_PREVIOUS?)`);
    const raw = Buffer.from(parts[2]!, 'base64url');
    if (raw.length < 28) throw new VaultError('truncated ciphertext');
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
      decipher.setAAD(Buffer.from(aad, 'utf8'));
      decipher.setAuthTag(raw.subarray(12, 28));
      return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
    } catch {
      throw new VaultError('ciphertext does not authenticate');
    }
  }

  /** Whether a ciphertext was sealed with an older key (re-encrypt it on the next write). */
  isStale(sealed: string): boolean {
    return !sealed.startsWith(`v1.${this.primary.id}.`);
  }

  /** Keyed fingerprint (HMAC-SHA256, hex) for equality checks without storing plaintext. */
  fingerprint(...parts: string[]): string {
    const h = createHmac('sha256', this.macKey);
    for (const p of parts) h.update(String(Buffer.byteLength(p))).update(':').update(p);
    return h.digest('hex');
  }

  /** HMAC for signed values (OAuth state); `purpose` separates the domains. */
  sign(purpose: string, data: string): string {
    return createHmac('sha256', this.macKey).update(purpose).update('\0').update(data).digest('base64url');
  }
}

/**
 * The vault of this process: the configured key, else (outside production) a development key kept
 * in `dataDir` with mode 0600. Under NODE_ENV=production a missing key is an error.
 */
export function createVault(opts: VaultOptions): Vault {
  const previous = (opts.previousKeys ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const k = decodeSecretKey(s);
      if (!k) throw new VaultError('SHOP_CHAT_SECRET_KEY_PREVIOUS holds a value that is not 32 bytes of base64');
      return k;
    });
  if (opts.secretKey) {
    const key = decodeSecretKey(opts.secretKey);
    if (!key) throw new VaultError('SHOP_CHAT_SECRET_KEY must be 32 bytes in base64');
    return new Vault(key, previous);
  }
  if (opts.nodeEnv === 'production') {
    throw new VaultError('SHOP_CHAT_SECRET_KEY is required when NODE_ENV=production');
  }
  const dir = opts.dataDir ?? 'data';
  const file = join(dir, DEV_KEY_FILE);
  let key: Buffer | undefined;
  try {
    key = decodeSecretKey(readFileSync(file, 'utf8'));
    if (!key) throw new VaultError(`${file} does not hold a 32-byte base64 key`);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    mkdirSync(dir, { recursive: true });
    const fresh = randomBytes(32);
    try {
      writeFileSync(file, fresh.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
      chmodSync(file, 0o600);
      key = fresh;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      key = decodeSecretKey(readFileSync(file, 'utf8')); // another process won the race
      if (!key) throw new VaultError(`${file} does not hold a 32-byte base64 key`);
    }
    opts.log?.warn(
      { file },
      'SHOP_CHAT_SECRET_KEY is not set: generated a development key for the store token vault; set SHOP_CHAT_SECRET_KEY in production',
    );
    return new Vault(key, previous);
  }
  opts.log?.warn({ file }, 'SHOP_CHAT_SECRET_KEY is not set: using the development key of the store token vault');
  return new Vault(key, previous);
}
