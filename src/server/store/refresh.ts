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
import type { Adapters } from './platforms/adapters.ts';
import { fullJitter, sleep as realSleep, type StoreLogger } from './log.ts';
import { PlatformError, type PlatformCredentials, type RefreshInput, type TokenSet } from './platforms/platform.ts';
import { prepared } from '../db/prepared.ts';
import { aad, affected, asCoreDb, clipError, normalizeRow, readConnection, type ConnectionRow, type StoreDb } from './repo.ts';
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

/** What one refresh flight ends with: the token to hand out and what happened to the row. */
interface Flight {
  token: string;
  /** refreshed: the pair changed (by us or another instance); fresh: it did not need to; failed: transient failures exhausted. */
  outcome: 'refreshed' | 'fresh' | 'failed';
  error?: string;
}

// The refresh's own statements, precompiled (db/prepared.ts): a refresh is one read, the lease (which
// returns the row it leased) and the compare-and-swap — three round trips.
const takeLease = prepared((db, until: number, owner: string, id: string, now: number) =>
  db
    .updateTable('store_connection')
    .set({ lease_until: until, lease_owner: owner })
    .where('id', '=', id)
    .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
    .returningAll(),
);
const storePair = prepared(
  (
    db,
    accessEnc: string,
    refreshEnc: string | null,
    credentialsEnc: string | null,
    expiresAt: number | null,
    refreshExpiresAt: number | null,
    scope: string | null,
    sellerName: string | null,
    now: number,
    id: string,
    version: number,
  ) =>
    db
      .updateTable('store_connection')
      .set((eb) => ({
        access_token_enc: accessEnc,
        refresh_token_enc: refreshEnc,
        credentials_enc: credentialsEnc,
        expires_at: expiresAt,
        refresh_expires_at: refreshExpiresAt,
        scope,
        seller_name: sellerName,
        last_refresh_at: now,
        last_error: null,
        fail_count: 0,
        next_attempt_at: null,
        lease_until: null,
        lease_owner: null,
        version: eb('version', '+', 1),
        updated_at: now,
      }))
      .where('id', '=', id)
      .where('version', '=', version),
);

export class TokenManager {
  readonly instanceId: string;
  private readonly inflight = new Map<string, Promise<Flight>>();
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
    return (await this.singleFlight(id, () => this.refreshLoop(id, 'margin', row))).token;
  }

  /** Refreshes now, whatever the margin (the sweep). Joins a refresh already under way. */
  async refreshNow(id: string, dueAtVersion?: number): Promise<RefreshOutcome> {
    try {
      const before = await readConnection(this.db, id);
      if (!before || before.status !== 'AUTHORIZED') return { id, result: 'skipped' };
      if (!this.canRefresh(before)) return { id, result: 'skipped' };
      // Found due at `dueAtVersion` (the sweep): another instance's sweep refreshed it since.
      if (dueAtVersion !== undefined && before.version !== dueAtVersion) return { id, result: 'skipped' };
      // The flight tells what happened; no second read of the row to find out.
      const flight = await this.singleFlight(id, () => this.refreshLoop(id, 'force', before));
      if (flight.outcome === 'failed') return { id, result: 'failed', error: flight.error ?? 'refresh failed' };
      return { id, result: flight.outcome };
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

  private singleFlight(id: string, run: () => Promise<Flight>): Promise<Flight> {
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

  /** `row`: the row as just read by the caller (saves reading it again); re-read on every later pass. */
  private async refreshLoop(id: string, mode: 'margin' | 'force', row?: ConnectionRow): Promise<Flight> {
    const deadline = this.now() + this.leaseMs + 5_000;
    let seenVersion: number | undefined;
    for (;;) {
      row ??= await readConnection(this.db, id);
      if (!row) throw new StoreTokenError('NOT_CONNECTED', 'store connection not found');
      this.assertUsable(row);
      // someone else refreshed
      if (seenVersion !== undefined && row.version !== seenVersion) return { token: this.decryptAccess(row), outcome: 'refreshed' };
      if (mode === 'margin' && this.isFresh(row)) return { token: this.decryptAccess(row), outcome: 'fresh' };
      seenVersion ??= row.version;
      if (!this.canRefresh(row)) {
        await this.markNeedsReauth(row, 'the access token expired and cannot be refreshed');
        throw new StoreTokenError('NEEDS_REAUTH', 'the store connection needs a new authorisation');
      }
      const held = await this.tryLease(id); // the row as leased
      if (held) {
        if (held.version !== row.version || held.status !== 'AUTHORIZED') {
          await this.releaseLease(id);
          row = undefined;
          continue;
        }
        return this.refreshHeld(held);
      }
      if (this.now() > deadline) {
        return { token: this.fallback(row, 'timed out waiting for another instance to refresh'), outcome: 'fresh' };
      }
      await this.sleep(this.pollMs / 2 + this.random() * this.pollMs);
      row = undefined;
    }
  }

  /** Takes the lease when free (or run out); returns the row as leased, else undefined. */
  private async tryLease(id: string): Promise<ConnectionRow | undefined> {
    const now = this.now();
    const row = await takeLease.first(asCoreDb(this.db), now + this.leaseMs, this.instanceId, id, now);
    return row ? normalizeRow(row) : undefined;
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
  private async refreshHeld(row: ConnectionRow): Promise<Flight> {
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
        return { token: await this.store(row, input, tokens), outcome: 'refreshed' };
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
    const error = clipError(lastError?.message ?? 'refresh failed');
    return { token: this.fallback(row, lastError?.message ?? 'refresh failed'), outcome: 'failed', error };
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
    const changed = await storePair.run(
      asCoreDb(this.db),
      this.vault.encrypt(t.accessToken, aad.access(row.id)),
      refreshToken ? this.vault.encrypt(refreshToken, aad.refresh(row.id)) : null,
      input.credentials ? this.vault.encrypt(JSON.stringify(input.credentials), aad.credentials(row.id)) : null,
      t.expiresAt,
      t.refreshExpiresAt ?? (t.refreshToken ? null : row.refresh_expires_at),
      t.scope ?? row.scope,
      t.sellerName ?? row.seller_name,
      now,
      row.id,
      row.version,
    );
    if (changed !== 1) {
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
    // The CAS and its webhook in one transaction: the outbox row exists exactly when the CAS won.
    const won = await this.webhook.transaction(this.db, async (trx, notify) => {
      const r = await trx
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
      if (affected(r) !== 1) return false;
      await notify({
        shopUid: row.shop_uid,
        platform: row.platform as StorePlatform,
        sellerId: row.seller_id,
        authType: row.auth_type as 'URL' | 'KEY',
        status: 'NEEDS_REAUTH',
        auth_fail_reason: clipError(reason),
      });
      return true;
    });
    if (won) {
      this.log.warn({ connectionId: row.id, platform: row.platform, shopUid: row.shop_uid, reason: clipError(reason) }, 'store connection needs a new authorisation');
    } else {
      await this.releaseLease(row.id);
    }
    return won;
  }
}
