// The store-connection service: authorisation (URL and KEY, seed 004), the OAuth callback, status,
// revoke and product cards. Framework-free; routes.ts and widget-goods.ts put HTTP around it.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import { GoodsInfo } from '../../shared/cards-zod.ts';
import type {
  WidgetGoodsCard,
  AuthorizeRequest,
  AuthorizeResponse,
  RevokeResponse,
  StatusResponse,
  StoreAuthType,
  StorePlatform,
} from '../../shared/store/api.ts';
import { ApiError, isUniqueViolation } from '../errors.ts';
import { createAdapters, type Adapters } from './platforms/adapters.ts';
import type { StoreConfig } from './config.ts';
import type { StoreLogger } from './log.ts';
import { PlatformError, type PlatformAdapter, type PlatformCredentials, type PlatformGoods, type TokenSet } from './platforms/platform.ts';
import { StoreTokenError, TokenManager, type RetryPolicy } from './refresh.ts';
import { aad, affected, clipError, findConnection, newConnectionRow, normalizeRow, readConnection, storeDb, toView, type ConnectionRow, type StoreDb } from './repo.ts';
import { createVault, type Vault } from './vault.ts';
import { webhookSenderFor, type WebhookInput, type WebhookSender } from './webhook.ts';

export const STATE_TTL_MS = 10 * 60_000;

/** What the store code needs of a shop (the server's ShopRecord fits). */
export interface StoreShop {
  shopUid: string;
  orgUid: string;
  enabled: boolean;
}

export interface StoreServiceOptions {
  db: unknown;
  config: StoreConfig;
  log: StoreLogger;
  /** Folder of the development vault key (default: next to the SQLite file, else ./data). */
  dataDir?: string | undefined;
  nodeEnv?: string | undefined;
  now?: () => number;
  fetch?: typeof fetch;
  instanceId?: string;
  vault?: Vault;
  retry?: Partial<RetryPolicy>;
  pollMs?: number;
  /** The webhook outbox's sender (compose.ts builds it); default: one of this service's own. */
  webhook?: WebhookSender;
  /** Backoff of the default sender's retries. */
  webhookBackoff?: { baseMs: number; capMs: number };
  /** Told about every upstream refresh call and every vault failure (the metrics). */
  observer?: StoreObserver;
}

/** Outcome of one upstream token-refresh call: `permanent_failure` ends in NEEDS_REAUTH, `transient_failure` is retried. */
export type RefreshCallOutcome = 'success' | 'permanent_failure' | 'transient_failure';

export interface StoreObserver {
  refresh?(platform: StorePlatform, outcome: RefreshCallOutcome): void;
  vaultError?(operation: 'encrypt' | 'decrypt'): void;
}

export type CallbackResult =
  | { kind: 'redirect'; location: string }
  | { kind: 'page'; status: number; html: string };

interface GoodsCacheEntry {
  value: WidgetGoodsCard;
  expires: number;
}

/** One scan of a shop's catalogue: every id it holds answers at once, a missing id is unknown when `complete`. */
interface Catalog {
  byId: Map<string, PlatformGoods>;
  complete: boolean;
  until: number;
}

const GOODS_CACHE_MAX = 5000;
const MINUTE_MS = 60_000;
/** How long a scan answers, unknown ids included: at most one scan per shop per minute. */
const CATALOG_TTL_MS = MINUTE_MS;
/** Shops whose last scan is kept (a scan holds up to 25 pages of 200 products). */
const CATALOG_SHOPS_MAX = 200;

export class StoreService {
  readonly db: StoreDb;
  readonly vault: Vault;
  readonly adapters: Adapters;
  readonly webhook: WebhookSender;
  readonly manager: TokenManager;
  readonly config: StoreConfig;
  readonly log: StoreLogger;
  readonly now: () => number;
  private readonly goodsCache = new Map<string, GoodsCacheEntry>();
  private readonly catalogs = new Map<string, Catalog>();
  private readonly scans = new Map<string, Promise<Catalog>>();
  private readonly goodsBudgets = new Map<string, { spent: number; resetAt: number }>();

  constructor(o: StoreServiceOptions) {
    this.db = storeDb(o.db);
    this.config = o.config;
    this.log = o.log;
    this.now = o.now ?? Date.now;
    const vault =
      o.vault ??
      createVault({
        secretKey: o.config.SHOP_CHAT_SECRET_KEY,
        previousKeys: o.config.SHOP_CHAT_SECRET_KEY_PREVIOUS,
        dataDir: o.dataDir,
        nodeEnv: o.nodeEnv ?? o.config.NODE_ENV,
        log: o.log,
      });
    const adapters = createAdapters(o.config, { fetch: o.fetch, now: this.now });
    this.vault = o.observer ? observeVault(vault, o.observer) : vault;
    this.adapters = o.observer ? observeAdapters(adapters, o.observer) : adapters;
    this.webhook =
      o.webhook ??
      webhookSenderFor(o.config, {
        db: this.db,
        log: o.log,
        ...(o.fetch ? { fetch: o.fetch } : {}),
        ...(o.instanceId ? { instanceId: o.instanceId } : {}),
        ...(o.webhookBackoff ?? {}),
      });
    this.manager = new TokenManager({
      db: this.db,
      vault: this.vault,
      adapters: this.adapters,
      log: o.log,
      webhook: this.webhook,
      now: this.now,
      ...(o.instanceId ? { instanceId: o.instanceId } : {}),
      ...(o.retry ? { retry: o.retry } : {}),
      ...(o.pollMs ? { pollMs: o.pollMs } : {}),
    });
  }

  async close(): Promise<void> {
    await this.webhook.stop();
  }

  /** A usable access token of a connection (refreshed when within the platform's margin). */
  getValidAccessToken(connection: string | { id: string }): Promise<string> {
    return this.manager.getValidAccessToken(connection);
  }

  // ---- authorize -------------------------------------------------------------------------------

  async authorize(shop: StoreShop, req: AuthorizeRequest): Promise<AuthorizeResponse> {
    // Before anything is written or sent: a bad redirectUrl used to fail only at the callback.
    const redirectProblem = req.redirectUrl === undefined ? null : redirectUrlProblem(req.redirectUrl, this.config);
    if (redirectProblem) throw new ApiError(400, `redirectUrl: ${redirectProblem}`);
    const platform = req.platform;
    const adapter = this.adapters[platform];
    if (!adapter.supports[req.authType]) {
      throw new ApiError(400, `authType: ${req.authType} is not supported for ${platform}`);
    }
    const sellerProblem = adapter.checkSellerId(req.sellerId, req.authType);
    if (sellerProblem) throw new ApiError(400, sellerProblem);
    const existing = await findConnection(this.db, shop.shopUid, platform);
    if (existing?.status === 'AUTHORIZED') {
      throw new ApiError(409, `repeat authorized: shop ${shop.shopUid} is already connected to ${platform}; revoke it first`);
    }
    if (req.sellerId) await this.assertSellerFree(platform, req.sellerId, shop.shopUid);
    return req.authType === 'URL' ? this.authorizeUrl(shop, req, existing) : this.authorizeKey(shop, req, existing);
  }

  private async assertSellerFree(platform: StorePlatform, sellerId: string, shopUid: string): Promise<void> {
    const holder = await this.db
      .selectFrom('store_connection')
      .select(['shop_uid'])
      .where('seller_key', '=', `${platform}:${sellerId}`)
      .executeTakeFirst();
    if (holder && holder.shop_uid !== shopUid) {
      throw new ApiError(409, `seller id already authorized: sellerId ${sellerId} is connected to another shop`);
    }
  }

  private async authorizeUrl(shop: StoreShop, req: AuthorizeRequest, existing: ConnectionRow | undefined): Promise<AuthorizeResponse> {
    const adapter = this.adapters[req.platform];
    if (!adapter.configured()) {
      throw new ApiError(400, `platform: ${req.platform} URL authorisation is not configured on this server`);
    }
    const now = this.now();
    let id = existing?.id;
    if (!existing) {
      id = newConnectionId();
      try {
        await this.db
          .insertInto('store_connection')
          .values(newConnectionRow({ id, shopUid: shop.shopUid, orgUid: shop.orgUid, platform: req.platform, authType: 'URL', sellerId: req.sellerId ?? null, now }))
          .execute();
      } catch (err) {
        if (!isUniqueViolation(err)) throw err;
        const raced = await findConnection(this.db, shop.shopUid, req.platform);
        if (!raced) throw err;
        if (raced.status === 'AUTHORIZED') throw new ApiError(409, `repeat authorized: shop ${shop.shopUid} is already connected to ${req.platform}`);
        id = raced.id;
      }
    } else if (existing.status !== 'NEEDS_REAUTH' && req.sellerId && req.sellerId !== existing.seller_id) {
      await this.db.updateTable('store_connection').set({ seller_id: req.sellerId, updated_at: now }).where('id', '=', existing.id).execute();
    }
    const nonce = randomBytes(16).toString('base64url');
    const expires = now + STATE_TTL_MS;
    await this.db
      .insertInto('store_auth_state')
      .values({
        nonce,
        connection_id: id!,
        shop_uid: shop.shopUid,
        platform: req.platform,
        seller_id: req.sellerId ?? null,
        redirect_url: req.redirectUrl ?? null,
        created_at: now,
        expires_at: expires,
        consumed_at: null,
      })
      .execute();
    const state = this.signState(nonce, req.platform, expires);
    return { authUrl: adapter.authUrl({ state, sellerId: req.sellerId ?? null }) };
  }

  private async authorizeKey(shop: StoreShop, req: AuthorizeRequest, existing: ConnectionRow | undefined): Promise<AuthorizeResponse> {
    const platform = req.platform;
    const info: PlatformCredentials = req.authInfo ?? {};
    // Same authInfo for two shops: compared by a keyed fingerprint, never in plaintext.
    const fingerprint = this.vault.fingerprint('authInfo', platform, info.token ?? '', info.apiKey ?? '', info.apiSecret ?? '');
    const holder = await this.db
      .selectFrom('store_connection')
      .select(['shop_uid'])
      .where('auth_fingerprint', '=', fingerprint)
      .executeTakeFirst();
    if (holder && holder.shop_uid !== shop.shopUid) {
      throw new ApiError(409, 'authInfo: the same authorisation information is already used by another shop');
    }
    let tokens: TokenSet;
    try {
      tokens = await this.adapters[platform].validateKey({ sellerId: req.sellerId ?? null, authInfo: info });
    } catch (err) {
      if (!(err instanceof PlatformError)) throw err;
      this.log.warn({ platform, shopUid: shop.shopUid, kind: err.kind, error: err.message }, 'store KEY authorisation failed');
      if (err.kind === 'transient') throw new ApiError(503, `${platform} is unavailable, try again later`);
      await this.recordFailure(shop, platform, 'KEY', req.sellerId ?? null, existing, err.message);
      throw new ApiError(400, `authInfo: rejected by ${platform} (${err.message.replace(/^\S+ \S+: /, '')})`);
    }
    const sellerId = tokens.sellerId ?? req.sellerId ?? null;
    if (sellerId && sellerId !== req.sellerId) await this.assertSellerFree(platform, sellerId, shop.shopUid);
    const row = await this.writeAuthorized({
      shop,
      platform,
      authType: 'KEY',
      existing,
      tokens,
      sellerId,
      credentials: info,
      fingerprint,
    });
    return { connection: toView(row) };
  }

  /** Stores a new authorisation (insert, or CAS on the version of the existing row) with its AUTHORIZED webhook, in one transaction. */
  private async writeAuthorized(w: {
    shop: StoreShop;
    platform: StorePlatform;
    authType: StoreAuthType;
    existing: ConnectionRow | undefined;
    tokens: TokenSet;
    sellerId: string | null;
    credentials: PlatformCredentials | null;
    fingerprint: string | null;
  }): Promise<ConnectionRow> {
    const now = this.now();
    const id = w.existing?.id ?? newConnectionId();
    const t = w.tokens;
    const values = {
      org_uid: w.shop.orgUid,
      seller_id: w.sellerId,
      seller_name: t.sellerName,
      seller_key: w.sellerId ? `${w.platform}:${w.sellerId}` : null,
      auth_type: w.authType,
      status: 'AUTHORIZED',
      access_token_enc: this.vault.encrypt(t.accessToken, aad.access(id)),
      refresh_token_enc: t.refreshToken ? this.vault.encrypt(t.refreshToken, aad.refresh(id)) : null,
      credentials_enc: w.credentials ? this.vault.encrypt(JSON.stringify(w.credentials), aad.credentials(id)) : null,
      auth_fingerprint: w.fingerprint,
      scope: t.scope,
      expires_at: t.expiresAt,
      refresh_expires_at: t.refreshExpiresAt,
      last_refresh_at: now,
      last_error: null,
      fail_count: 0,
      next_attempt_at: null,
      lease_until: null,
      lease_owner: null,
      updated_at: now,
    };
    const event: WebhookInput = { shopUid: w.shop.shopUid, platform: w.platform, sellerId: w.sellerId, authType: w.authType, status: 'AUTHORIZED', auth_fail_reason: '' };
    try {
      await this.webhook.transaction(this.db, async (trx, notify) => {
        if (w.existing) {
          const r = await trx
            .updateTable('store_connection')
            .set((eb) => ({ ...values, version: eb('version', '+', 1) }))
            .where('id', '=', id)
            .where('version', '=', w.existing!.version)
            .where('status', '!=', 'AUTHORIZED')
            .executeTakeFirst();
          if (affected(r) !== 1) throw new ApiError(409, `repeat authorized: shop ${w.shop.shopUid} was connected to ${w.platform} concurrently`);
        } else {
          await trx
            .insertInto('store_connection')
            .values({ ...values, id, shop_uid: w.shop.shopUid, platform: w.platform, created_at: now })
            .execute();
        }
        await notify(event);
      });
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      const msg = String((err as Error).message);
      if (msg.includes('seller_key')) throw new ApiError(409, `seller id already authorized: sellerId ${w.sellerId} is connected to another shop`);
      if (msg.includes('fingerprint')) throw new ApiError(409, 'authInfo: the same authorisation information is already used by another shop');
      throw new ApiError(409, `repeat authorized: shop ${w.shop.shopUid} was connected to ${w.platform} concurrently`);
    }
    const row = (await readConnection(this.db, id))!;
    this.log.info({ connectionId: id, shopUid: w.shop.shopUid, platform: w.platform, authType: w.authType }, 'store connection authorized');
    return row;
  }

  /** PENDING/FAILED → FAILED with the reason, and one FAILED webhook. */
  private async recordFailure(
    shop: StoreShop,
    platform: StorePlatform,
    authType: StoreAuthType,
    sellerId: string | null,
    existing: ConnectionRow | undefined,
    reason: string,
  ): Promise<void> {
    const now = this.now();
    const event: WebhookInput = { shopUid: shop.shopUid, platform, sellerId, authType, status: 'FAILED', auth_fail_reason: clipError(reason) };
    await this.webhook.transaction(this.db, async (trx, notify) => {
      if (existing) {
        await trx
          .updateTable('store_connection')
          .set({ status: 'FAILED', last_error: clipError(reason), updated_at: now })
          .where('id', '=', existing.id)
          .where('status', 'in', ['PENDING', 'FAILED'])
          .execute();
      } else {
        // A connection raced in meanwhile: kept as it is (nothing here may fail the transaction,
        // PostgreSQL would refuse the outbox insert after a failed statement), the FAILED still sent.
        const row = { ...newConnectionRow({ id: newConnectionId(), shopUid: shop.shopUid, orgUid: shop.orgUid, platform, authType, sellerId, now }), status: 'FAILED', last_error: clipError(reason) };
        await trx.insertInto('store_connection').values(row).onConflict((oc) => oc.doNothing()).execute();
      }
      await notify(event);
    });
  }

  // ---- OAuth state -----------------------------------------------------------------------------

  private signState(nonce: string, platform: StorePlatform, expires: number): string {
    const exp = expires.toString(36);
    return `${nonce}.${exp}.${this.vault.sign('oauth-state', `${nonce}.${platform}.${exp}`)}`;
  }

  private verifyState(state: string, platform: StorePlatform): { nonce: string; expires: number } | null {
    const parts = state.split('.');
    if (parts.length !== 3) return null;
    const [nonce, exp, sig] = parts as [string, string, string];
    if (!/^[A-Za-z0-9_-]{16,64}$/.test(nonce) || !/^[0-9a-z]{1,12}$/.test(exp)) return null;
    const want = Buffer.from(this.vault.sign('oauth-state', `${nonce}.${platform}.${exp}`));
    const got = Buffer.from(sig);
    if (want.length !== got.length || !timingSafeEqual(want, got)) return null;
    return { nonce, expires: parseInt(exp, 36) };
  }

  // ---- callback --------------------------------------------------------------------------------

  async callback(platform: StorePlatform, query: { code?: string | undefined; state?: string | undefined; error?: string | undefined }): Promise<CallbackResult> {
    const now = this.now();
    const verified = query.state ? this.verifyState(query.state, platform) : null;
    if (!verified) {
      this.log.warn({ platform }, 'store callback with an invalid state');
      return page(400, 'Authorization failed', 'The authorization link is invalid. Start the authorization again.');
    }
    const st = await this.db.selectFrom('store_auth_state').selectAll().where('nonce', '=', verified.nonce).executeTakeFirst();
    if (!st || st.platform !== platform) {
      return page(400, 'Authorization failed', 'The authorization link is invalid. Start the authorization again.');
    }
    const ctx = { shopUid: st.shop_uid, platform, sellerId: st.seller_id, redirectUrl: st.redirect_url };
    // Single use: the one UPDATE that consumes the nonce wins; an expired state cannot be consumed.
    const consumed = await this.db
      .updateTable('store_auth_state')
      .set({ consumed_at: now })
      .where('nonce', '=', verified.nonce)
      .where('consumed_at', 'is', null)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    if (affected(consumed) !== 1) {
      const reason = st.consumed_at !== null ? 'state already used' : 'state expired';
      this.log.warn({ platform, shopUid: st.shop_uid, reason }, 'store callback refused');
      return this.finish(ctx, false, reason, 400);
    }
    const shop: StoreShop = { shopUid: st.shop_uid, orgUid: '', enabled: true };
    const connection = await readConnection(this.db, st.connection_id);
    if (connection) shop.orgUid = connection.org_uid ?? '';
    const fail = async (reason: string) => {
      await this.recordFailure(shop, platform, 'URL', st.seller_id, connection, reason);
      return this.finish(ctx, false, reason, 400);
    };
    if (query.error || !query.code) return fail(query.error ? `authorization denied (${cleanOAuthError(query.error)})` : 'code missing');
    if (!connection) return fail('authorization was revoked before it completed');
    if (connection.status === 'AUTHORIZED') return this.finish(ctx, false, 'repeat authorized', 409);

    let tokens: TokenSet;
    try {
      tokens = await this.adapters[platform].exchangeCode({ code: query.code, sellerId: st.seller_id });
    } catch (err) {
      if (!(err instanceof PlatformError)) throw err;
      this.log.warn({ platform, shopUid: st.shop_uid, kind: err.kind, error: err.message }, 'store code exchange failed');
      return fail(err.message);
    }
    if (st.seller_id && tokens.sellerId && tokens.sellerId !== st.seller_id) {
      return fail(`the authorised store (${tokens.sellerId}) is not ${st.seller_id}`);
    }
    const sellerId = tokens.sellerId ?? st.seller_id;
    ctx.sellerId = sellerId;
    try {
      if (sellerId) await this.assertSellerFree(platform, sellerId, st.shop_uid);
      await this.writeAuthorized({
        shop,
        platform,
        authType: 'URL',
        existing: connection,
        tokens,
        sellerId,
        credentials: null,
        fingerprint: null,
      });
    } catch (err) {
      if (err instanceof ApiError) return fail(err.message.split(':')[0]!);
      throw err;
    }
    return this.finish(ctx, true, '', 200);
  }

  private finish(
    ctx: { shopUid: string; platform: StorePlatform; sellerId: string | null; redirectUrl: string | null },
    success: boolean,
    reason: string,
    status: number,
  ): CallbackResult {
    // A value stored before redirectUrlProblem existed may not parse: the result page instead.
    if (ctx.redirectUrl && URL.canParse(ctx.redirectUrl)) {
      const u = new URL(ctx.redirectUrl);
      u.searchParams.set('shopUid', ctx.shopUid);
      u.searchParams.set('platform', ctx.platform);
      u.searchParams.set('sellerId', ctx.sellerId ?? '');
      u.searchParams.set('auth_status', success ? 'SUCCESS' : 'FAIL');
      u.searchParams.set('auth_fail_reason', reason);
      return { kind: 'redirect', location: u.toString() };
    }
    return success
      ? page(200, 'Authorization complete', `The ${ctx.platform} store ${ctx.sellerId ?? ''} is now connected to shop ${ctx.shopUid}. You can close this page.`)
      : page(status, 'Authorization failed', `Connecting ${ctx.platform} to shop ${ctx.shopUid} failed: ${reason}.`);
  }

  // ---- status / revoke -------------------------------------------------------------------------

  async status(shop: StoreShop): Promise<StatusResponse> {
    const rows = await this.db.selectFrom('store_connection').selectAll().where('shop_uid', '=', shop.shopUid).orderBy('platform').execute();
    return { shopUid: shop.shopUid, connections: rows.map((r) => toView(normalizeRow(r))) };
  }

  async revoke(shop: StoreShop, platform: StorePlatform): Promise<RevokeResponse> {
    const row = await findConnection(this.db, shop.shopUid, platform);
    if (!row) throw new ApiError(404, `no ${platform} connection for shop ${shop.shopUid}`);
    await this.db.deleteFrom('store_auth_state').where('connection_id', '=', row.id).execute();
    await this.db.deleteFrom('store_connection').where('id', '=', row.id).execute();
    for (const k of this.goodsCache.keys()) if (k.startsWith(`${shop.shopUid}\0`)) this.goodsCache.delete(k);
    this.catalogs.delete(shop.shopUid);
    this.log.info({ connectionId: row.id, shopUid: shop.shopUid, platform }, 'store connection revoked');
    return { shopUid: shop.shopUid, platform, revoked: true };
  }

  /** Drops consumed and expired OAuth states (called by the sweep). */
  async pruneStates(): Promise<number> {
    const r = await this.db.deleteFrom('store_auth_state').where('expires_at', '<', this.now() - 3_600_000).executeTakeFirst();
    return Number(r.numDeletedRows ?? 0n);
  }

  // ---- product cards ---------------------------------------------------------------------------
  // The lookup is public, and the platform can only list a catalogue: each unknown goodsUid used to
  // scan up to 25 pages (20 anonymous requests made 500 FKW calls in 2 s). So a shop's catalogue is
  // scanned once, by one caller at a time (the others wait for that scan), and answers every id,
  // unknown ones included, for a minute; and the scans of one shop spend at most
  // SHOP_CHAT_GOODS_UPSTREAM_PER_MINUTE upstream calls a minute.

  /** A public GoodsInfo from the shop's connected platform; null when unknown. */
  async goods(shop: StoreShop, goodsUid: string): Promise<WidgetGoodsCard | null> {
    const key = `${shop.shopUid}\0${goodsUid}`;
    const hit = this.goodsCache.get(key);
    if (hit && hit.expires > this.now()) return hit.value;
    let catalog = this.catalogs.get(shop.shopUid);
    if (!catalog || catalog.until <= this.now()) catalog = await this.scanOnce(shop);
    const found = catalog.byId.get(goodsUid);
    if (!found && !catalog.complete) {
      const retry = Math.max(1, Math.ceil((this.budgetOf(shop.shopUid).resetAt - this.now()) / 1000));
      const e = new ApiError(429, `goods lookups of shop ${shop.shopUid} are over their upstream budget, retry in ${retry} seconds`);
      e.headers['retry-after'] = String(retry);
      throw e;
    }
    const value = found ? this.toCard(shop, found) : null;
    if (value) {
      if (this.goodsCache.size >= GOODS_CACHE_MAX) this.goodsCache.delete(this.goodsCache.keys().next().value!);
      this.goodsCache.set(key, { value, expires: this.now() + this.config.SHOP_CHAT_GOODS_CACHE_TTL * 1000 });
    }
    return value;
  }

  /** The running scan of the shop's catalogue, else a new one. */
  private scanOnce(shop: StoreShop): Promise<Catalog> {
    let running = this.scans.get(shop.shopUid);
    if (!running) {
      running = this.scan(shop)
        .then((catalog) => {
          this.catalogs.delete(shop.shopUid);
          if (this.catalogs.size >= CATALOG_SHOPS_MAX) this.catalogs.delete(this.catalogs.keys().next().value!);
          this.catalogs.set(shop.shopUid, catalog);
          return catalog;
        })
        .finally(() => this.scans.delete(shop.shopUid));
      this.scans.set(shop.shopUid, running);
    }
    return running;
  }

  /** This minute's upstream calls of a shop's goods lookups. */
  private budgetOf(shopUid: string): { spent: number; resetAt: number } {
    const now = this.now();
    let b = this.goodsBudgets.get(shopUid);
    if (!b || b.resetAt <= now) {
      this.goodsBudgets.delete(shopUid);
      if (this.goodsBudgets.size >= CATALOG_SHOPS_MAX * 10) this.goodsBudgets.delete(this.goodsBudgets.keys().next().value!);
      this.goodsBudgets.set(shopUid, (b = { spent: 0, resetAt: now + MINUTE_MS }));
    }
    return b;
  }

  private async scan(shop: StoreShop): Promise<Catalog> {
    const until = this.now() + Math.min(CATALOG_TTL_MS, this.config.SHOP_CHAT_GOODS_CACHE_TTL * 1000);
    const empty: Catalog = { byId: new Map(), complete: true, until };
    const rows = await this.db
      .selectFrom('store_connection')
      .selectAll()
      .where('shop_uid', '=', shop.shopUid)
      .where('status', '=', 'AUTHORIZED')
      .execute();
    const row = rows.find((r) => this.adapters[r.platform as StorePlatform]?.listGoods);
    if (!row) return empty;
    const adapter = this.adapters[row.platform as StorePlatform];
    let token: string;
    try {
      token = await this.manager.getValidAccessToken(row.id);
    } catch (err) {
      if (err instanceof StoreTokenError && err.reason === 'UNAVAILABLE') throw new ApiError(503, `${row.platform} is unavailable, try again later`);
      if (err instanceof StoreTokenError) return empty;
      throw err;
    }
    const spend = () => {
      const b = this.budgetOf(shop.shopUid);
      if (b.spent >= this.config.SHOP_CHAT_GOODS_UPSTREAM_PER_MINUTE) return false;
      b.spent++;
      return true;
    };
    try {
      const { goods, complete } = await adapter.listGoods!({ accessToken: token, sellerId: row.seller_id, spend });
      // A scan the budget cut short answers what it found until the budget has room again.
      return { byId: new Map(goods.map((g) => [g.id, g])), complete, until: complete ? until : Math.min(until, this.budgetOf(shop.shopUid).resetAt) };
    } catch (err) {
      if (!(err instanceof PlatformError)) throw err;
      this.log.warn({ platform: row.platform, shopUid: shop.shopUid, kind: err.kind, error: err.message }, 'store product lookup failed');
      if (err.kind === 'transient') throw new ApiError(503, `${row.platform} is unavailable, try again later`);
      return empty;
    }
  }

  private toCard(shop: StoreShop, g: PlatformGoods): WidgetGoodsCard | null {
    const candidate: WidgetGoodsCard = {
      uid: g.id,
      type: 'GOODS',
      shopUid: shop.shopUid,
      title: g.title.slice(0, 100),
      ...(g.price !== undefined ? { price: g.price } : {}),
      ...(g.image ? { image: g.image } : {}),
      ...(g.url ? { url: g.url } : {}),
      ...(g.onShelf !== undefined ? { status: g.onShelf ? ('ON_SHELF' as const) : ('OFF_SHELF' as const) } : {}),
    };
    // Validated with the shared GoodsInfo schema; an unsafe optional field (e.g. a javascript: image)
    // is dropped rather than served.
    if (GoodsInfo.safeParse(candidate).success) return candidate;
    const minimal: WidgetGoodsCard = { uid: candidate.uid, type: 'GOODS', shopUid: shop.shopUid, title: candidate.title };
    return GoodsInfo.safeParse(minimal).success ? minimal : null;
  }
}

/** The vault, reporting each failed encrypt/decrypt to the observer. */
function observeVault(vault: Vault, observer: StoreObserver): Vault {
  const v = Object.create(vault) as Vault;
  for (const op of ['encrypt', 'decrypt'] as const) {
    v[op] = (text: string, aad: string) => {
      try {
        return vault[op](text, aad);
      } catch (err) {
        observer.vaultError?.(op);
        throw err;
      }
    };
  }
  return v;
}

/** The adapters, reporting the outcome of each upstream refresh call to the observer. */
function observeAdapters(adapters: Adapters, observer: StoreObserver): Adapters {
  const out = { ...adapters };
  for (const [platform, adapter] of Object.entries(adapters) as [StorePlatform, PlatformAdapter][]) {
    const a = Object.create(adapter) as PlatformAdapter;
    a.refresh = async (input) => {
      try {
        const tokens = await adapter.refresh(input);
        observer.refresh?.(platform, 'success');
        return tokens;
      } catch (err) {
        observer.refresh?.(platform, err instanceof PlatformError && err.kind === 'permanent' ? 'permanent_failure' : 'transient_failure');
        throw err;
      }
    };
    out[platform] = a;
  }
  return out;
}

/**
 * Why `value` may not be a redirectUrl, or null: `URL` must parse it (the schema's regex let
 * `http://[` through), http(s) only, https in production, no user info (`https://bank@evil/`), and a
 * host of SHOP_CHAT_REDIRECT_HOSTS when it is set (`*.example.com` allows the subdomains).
 */
export function redirectUrlProblem(value: string, config: Pick<StoreConfig, 'NODE_ENV' | 'SHOP_CHAT_REDIRECT_HOSTS'>): string | null {
  if (!URL.canParse(value)) return 'must be an http(s) URL';
  const u = new URL(value);
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return 'must be an http(s) URL';
  if (config.NODE_ENV === 'production' && u.protocol !== 'https:') return 'must be https in production';
  if (u.username || u.password) return 'must not carry user info';
  const allowed = config.SHOP_CHAT_REDIRECT_HOSTS?.split(',').map((h) => h.trim().toLowerCase()).filter(Boolean);
  if (allowed?.length && !allowed.some((h) => (h.startsWith('*.') ? u.hostname.endsWith(h.slice(1)) : u.hostname === h))) {
    return 'host is not one of SHOP_CHAT_REDIRECT_HOSTS';
  }
  return null;
}

/** A platform's `error` parameter as it is stored, redirected with and sent: OAuth error-code characters, 80 at most. */
const cleanOAuthError = (raw: string) => raw.replace(/[^\w.:-]+/g, ' ').trim().slice(0, 80);

function newConnectionId(): string {
  return `stc_${randomBytes(12).toString('hex')}`;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(status: number, title: string, text: string): CallbackResult {
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)}</title><style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#222}h1{font-size:1.4rem}</style></head><body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(text)}</p></body></html>`;
  return { kind: 'page', status, html };
}

/** Folder next to the SQLite file, else ./data (the development vault key lives there). */
export function dataDirFor(databaseUrl: string | undefined): string {
  if (databaseUrl?.startsWith('sqlite:')) {
    const raw = databaseUrl.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (raw !== ':memory:') return dirname(resolve(raw));
  }
  return resolve('data');
}
