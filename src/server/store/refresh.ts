// getValidAccessToken and the refresh engine: the part that must never lose a rotated token.
//
// - In one process, concurrent callers of one connection share one refresh (a Map of promises).
// - Across instances, a lease on the row: UPDATE … SET lease_until, lease_owner WHERE id = ? AND
//   (lease_until IS NULL OR lease_until < now). The holder re-reads the row, calls the platform with
//   no transaction or row lock open, then writes the new pair and expiry in one compare-and-swap on
//   `version` that also releases the lease. Other instances poll the row until the version moves.
// - Permanent failures set NEEDS_REAUTH (once: the CAS) and send one webhook; transient failures
//   retry with capped exponential backoff and full jitter, within the lease.
import { randomUUID } from 'node:crypto';
import type { StorePlatform } from '../../shared/store/api.ts';
import type { Adapters } from './adapters.ts';
import { fullJitter, sleep as realSleep, type StoreLogger } from './log.ts';
import { PlatformError, type PlatformCredentials, type RefreshInput, type TokenSet } from './platform.ts';
import { aad, affected, clipError, readConnection, type ConnectionRow, type StoreDb } from './repo.ts';
import type { Vault } from './vault.ts';
import type { WebhookSender } from './webhook.ts';

export type StoreTokenErrorReason = 'NOT_CONNECTED' | 'NEEDS_REAUTH' | 'UNAVAILABLE';

/** Why no access token could be handed out. Safe to log. */
export class StoreTokenError extends Error {
  override name = 'StoreTokenError';
  constructor(
    readonly reason: StoreTokenErrorReason,
    message: string,
  ) {
    super(message);
  }
}

export interface RetryPolicy {
  attempts: number;
  baseMs: number;
  capMs: number;
}

export interface TokenManagerOptions {
  db: StoreDb;
  vault: Vault;
  adapters: Adapters;
  log: StoreLogger;
  webhook: WebhookSender;
  /** Lease owner id of this process (default: random). */
  instanceId?: string;
  now?: () => number;
  /** How long a refresh lease lasts; must exceed the longest refresh with its retries (default 60 s). */
  leaseMs?: number;
  /** Poll interval of a waiter on another instance's lease (default 100 ms, jittered). */
  pollMs?: number;
  retry?: Partial<RetryPolicy>;
  /** Backoff of the sweep after a transient failure: base and cap (default 1 min … 1 h). */
  sweepBackoff?: { baseMs: number; capMs: number };
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

export interface RefreshOutcome {
  id: string;
  result: 'refreshed' | 'fresh' | 'skipped' | 'needs_reauth' | 'failed';
  error?: string;
}

export class TokenManager {
  readonly instanceId: string;
  private readonly inflight = new Map<string, Promise<string>>();
  private readonly db: StoreDb;
  private readonly vault: Vault;
  private readonly adapters: Adapters;
  private readonly log: StoreLogger;
  private readonly webhook: WebhookSender;
  private readonly now: () => number;
  private readonly leaseMs: number;
  private readonly pollMs: number;
  private readonly retry: RetryPolicy;
  private readonly sweepBackoff: { baseMs: number; capMs: number };
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  /** Upstream refresh calls made by this process (metrics, tests). */
  upstreamCalls = 0;

  constructor(o: TokenManagerOptions) {
    this.db = o.db;
    this.vault = o.vault;
    this.adapters = o.adapters;
    this.log = o.log;
    this.webhook = o.webhook;
    this.instanceId = o.instanceId ?? `i-${randomUUID()}`;
    this.now = o.now ?? Date.now;
    this.leaseMs = o.leaseMs ?? 60_000;
    this.pollMs = o.pollMs ?? 100;
    this.retry = { attempts: 4, baseMs: 250, capMs: 4000, ...o.retry };
    this.sweepBackoff = o.sweepBackoff ?? { baseMs: 60_000, capMs: 3_600_000 };
    this.sleep = o.sleep ?? realSleep;
    this.random = o.random ?? Math.random;
  }

  /** A usable access token of the connection, refreshed first when it is within the margin. */
  async getValidAccessToken(connection: string | { id: string }): Promise<string> {
    const id = typeof connection === 'string' ? connection : connection.id;
    const row = await readConnection(this.db, id);
    if (!row) throw new StoreTokenError('NOT_CONNECTED', 'store connection not found');
    this.assertUsable(row);
    if (this.isFresh(row)) return this.decryptAccess(row);
    return this.singleFlight(id, () => this.refreshLoop(id, 'margin'));
  }

  /** Refreshes now, whatever the margin (the sweep). Joins a refresh already under way. */
  async refreshNow(id: string): Promise<RefreshOutcome> {
    try {
      const before = await readConnection(this.db, id);
      if (!before || before.status !== 'AUTHORIZED') return { id, result: 'skipped' };
      if (!this.canRefresh(before)) return { id, result: 'skipped' };
      await this.singleFlight(id, () => this.refreshLoop(id, 'force'));
      const after = await readConnection(this.db, id);
      if (after && after.version !== before.version) return { id, result: 'refreshed' };
      if (after && after.fail_count > before.fail_count) return { id, result: 'failed', error: after.last_error ?? 'refresh failed' };
      return { id, result: 'fresh' };
    } catch (err) {
      if (err instanceof StoreTokenError && err.reason === 'NEEDS_REAUTH') return { id, result: 'needs_reauth', error: err.message };
      return { id, result: 'failed', error: (err as Error).message };
    }
  }

  marginMs(platform: string): number {
    return this.adapters[platform as StorePlatform].refreshMarginMs;
  }

  canRefresh(row: ConnectionRow): boolean {
    return this.adapters[row.platform as StorePlatform].canRefresh(this.refreshInput(row, false));
  }

  private isFresh(row: ConnectionRow): boolean {
    if (!this.canRefresh(row)) return row.expires_at === null || row.expires_at > this.now();
    // A missing expiry means "refresh soon", never "never expires".
    return row.expires_at !== null && row.expires_at - this.now() > this.marginMs(row.platform);
  }

  private assertUsable(row: ConnectionRow): void {
    if (row.status === 'AUTHORIZED' && row.access_token_enc) return;
    if (row.status === 'NEEDS_REAUTH') throw new StoreTokenError('NEEDS_REAUTH', 'the store connection needs a new authorisation');
    throw new StoreTokenError('NOT_CONNECTED', `the store connection is ${row.status}`);
  }

  private singleFlight(id: string, run: () => Promise<string>): Promise<string> {
    const existing = this.inflight.get(id);
    if (existing) return existing;
    const p = run().finally(() => this.inflight.delete(id));
    this.inflight.set(id, p);
    return p;
  }

  private decryptAccess(row: ConnectionRow): string {
    return this.vault.decrypt(row.access_token_enc!, aad.access(row.id));
  }

  private refreshInput(row: ConnectionRow, decrypt = true): RefreshInput {
    let credentials: PlatformCredentials | null = null;
    if (row.credentials_enc) {
      credentials = decrypt ? (JSON.parse(this.vault.decrypt(row.credentials_enc, aad.credentials(row.id))) as PlatformCredentials) : { apiKey: '*', apiSecret: '*', token: '*' };
    }
    return {
      sellerId: row.seller_id,
      authType: row.auth_type as RefreshInput['authType'],
      refreshToken: row.refresh_token_enc ? (decrypt ? this.vault.decrypt(row.refresh_token_enc, aad.refresh(row.id)) : '*') : null,
      credentials,
    };
  }

  private async refreshLoop(id: string, mode: 'margin' | 'force'): Promise<string> {
    const deadline = this.now() + this.leaseMs + 5_000;
    let seenVersion: number | undefined;
    for (;;) {
      const row = await readConnection(this.db, id);
      if (!row) throw new StoreTokenError('NOT_CONNECTED', 'store connection not found');
      this.assertUsable(row);
      if (seenVersion !== undefined && row.version !== seenVersion) return this.decryptAccess(row); // someone else refreshed
      if (mode === 'margin' && this.isFresh(row)) return this.decryptAccess(row);
      seenVersion ??= row.version;
      if (!this.canRefresh(row)) {
        await this.markNeedsReauth(row, 'the access token expired and cannot be refreshed');
        throw new StoreTokenError('NEEDS_REAUTH', 'the store connection needs a new authorisation');
      }
      if (await this.tryLease(id)) {
        const held = await readConnection(this.db, id); // re-read after taking the lease
        if (!held || held.version !== row.version || held.status !== 'AUTHORIZED') {
          await this.releaseLease(id);
          continue;
        }
        return this.refreshHeld(held);
      }
      if (this.now() > deadline) return this.fallback(row, 'timed out waiting for another instance to refresh');
      await this.sleep(this.pollMs / 2 + this.random() * this.pollMs);
    }
  }

  private async tryLease(id: string): Promise<boolean> {
    const now = this.now();
    const r = await this.db
      .updateTable('store_connection')
      .set({ lease_until: now + this.leaseMs, lease_owner: this.instanceId })
      .where('id', '=', id)
      .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
      .executeTakeFirst();
    return affected(r) === 1;
  }

  private async releaseLease(id: string): Promise<void> {
    await this.db
      .updateTable('store_connection')
      .set({ lease_until: null, lease_owner: null })
      .where('id', '=', id)
      .where('lease_owner', '=', this.instanceId)
      .execute();
  }

  /** Holding the lease: call the platform (retrying transient failures), then CAS the new pair. */
  private async refreshHeld(row: ConnectionRow): Promise<string> {
    const adapter = this.adapters[row.platform as StorePlatform];
    const leaseEnd = this.now() + this.leaseMs;
    let input: RefreshInput;
    try {
      input = this.refreshInput(row);
    } catch (err) {
      await this.releaseLease(row.id);
      throw new StoreTokenError('UNAVAILABLE', `stored credentials unreadable: ${(err as Error).message}`);
    }
    let lastError: PlatformError | Error | undefined;
    for (let attempt = 0; attempt < this.retry.attempts; attempt++) {
      if (attempt > 0) {
        const wait = fullJitter(attempt, this.retry.baseMs, this.retry.capMs, this.random);
        if (this.now() + wait + 1000 > leaseEnd) break; // never outlive the lease
        await this.sleep(wait);
      }
      try {
        this.upstreamCalls++;
        const tokens = await adapter.refresh(input);
        return await this.store(row, input, tokens);
      } catch (err) {
        if (err instanceof StoreTokenError) throw err;
        lastError = err as Error;
        const permanent = err instanceof PlatformError && err.kind === 'permanent';
        this.log.warn(
          { connectionId: row.id, platform: row.platform, attempt: attempt + 1, kind: permanent ? 'permanent' : 'transient', error: lastError.message },
          'store token refresh failed',
        );
        if (permanent) {
          await this.markNeedsReauth(row, lastError.message);
          throw new StoreTokenError('NEEDS_REAUTH', 'the store connection needs a new authorisation');
        }
      }
    }
    // Transient failures exhausted: free the lease, back off the sweep, keep the current token.
    const failCount = row.fail_count + 1;
    await this.db
      .updateTable('store_connection')
      .set({
        lease_until: null,
        lease_owner: null,
        last_error: clipError(lastError?.message ?? 'refresh failed'),
        fail_count: failCount,
        next_attempt_at: this.now() + Math.max(this.sweepBackoff.baseMs, fullJitter(failCount, this.sweepBackoff.baseMs, this.sweepBackoff.capMs, this.random)),
        updated_at: this.now(),
      })
      .where('id', '=', row.id)
      .where('lease_owner', '=', this.instanceId)
      .execute();
    return this.fallback(row, lastError?.message ?? 'refresh failed');
  }

  /** The current token while it is still valid, else UNAVAILABLE. */
  private fallback(row: ConnectionRow, why: string): string {
    if (row.expires_at !== null && row.expires_at > this.now()) {
      this.log.warn({ connectionId: row.id, platform: row.platform }, 'store token refresh postponed; using the current token');
      return this.decryptAccess(row);
    }
    throw new StoreTokenError('UNAVAILABLE', `the store platform is unavailable: ${why}`);
  }

  private async store(row: ConnectionRow, input: RefreshInput, t: TokenSet): Promise<string> {
    const now = this.now();
    // Rotation: the new refresh token replaces the old one; a platform that sends none keeps it.
    const refreshToken = t.refreshToken ?? input.refreshToken;
    const r = await this.db
      .updateTable('store_connection')
      .set((eb) => ({
        access_token_enc: this.vault.encrypt(t.accessToken, aad.access(row.id)),
        refresh_token_enc: refreshToken ? this.vault.encrypt(refreshToken, aad.refresh(row.id)) : null,
        credentials_enc: input.credentials ? this.vault.encrypt(JSON.stringify(input.credentials), aad.credentials(row.id)) : null,
        expires_at: t.expiresAt,
        refresh_expires_at: t.refreshExpiresAt ?? (t.refreshToken ? null : row.refresh_expires_at),
        scope: t.scope ?? row.scope,
        seller_name: t.sellerName ?? row.seller_name,
        last_refresh_at: now,
        last_error: null,
        fail_count: 0,
        next_attempt_at: null,
        lease_until: null,
        lease_owner: null,
        version: eb('version', '+', 1),
        updated_at: now,
      }))
      .where('id', '=', row.id)
      .where('version', '=', row.version)
      .executeTakeFirst();
    if (affected(r) !== 1) {
      // Only possible when the lease ran out mid-call and another instance wrote first.
      this.log.error({ connectionId: row.id, platform: row.platform }, 'store token refresh lost its compare-and-swap; keeping the stored pair');
      const now2 = await readConnection(this.db, row.id);
      if (!now2) throw new StoreTokenError('NOT_CONNECTED', 'store connection not found');
      this.assertUsable(now2);
      return this.decryptAccess(now2);
    }
    this.log.info({ connectionId: row.id, platform: row.platform, expiresAt: t.expiresAt }, 'store token refreshed');
    return t.accessToken;
  }

  /** AUTHORIZED → NEEDS_REAUTH in one CAS; only the writer that wins sends the webhook. */
  async markNeedsReauth(row: ConnectionRow, reason: string): Promise<boolean> {
    const r = await this.db
      .updateTable('store_connection')
      .set((eb) => ({
        status: 'NEEDS_REAUTH',
        last_error: clipError(reason),
        lease_until: null,
        lease_owner: null,
        next_attempt_at: null,
        version: eb('version', '+', 1),
        updated_at: this.now(),
      }))
      .where('id', '=', row.id)
      .where('version', '=', row.version)
      .where('status', '=', 'AUTHORIZED')
      .executeTakeFirst();
    const won = affected(r) === 1;
    if (won) {
      this.log.warn({ connectionId: row.id, platform: row.platform, shopUid: row.shop_uid, reason: clipError(reason) }, 'store connection needs a new authorisation');
      this.webhook.notify({
        shopUid: row.shop_uid,
        platform: row.platform as StorePlatform,
        sellerId: row.seller_id,
        authType: row.auth_type as 'URL' | 'KEY',
        status: 'NEEDS_REAUTH',
        auth_fail_reason: clipError(reason),
      });
    } else {
      await this.releaseLease(row.id);
    }
    return won;
  }
}
