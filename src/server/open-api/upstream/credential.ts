// This server's credential at the upstream Bytedesk (seed 000's token API): an access token and,
// unless it is permanent, a refresh token, both sealed by the vault in one row.
//
// The same rules as the store connections' refresh (store/refresh.ts), for one row:
// - in one process, concurrent callers share one refresh (one promise);
// - across instances, a lease on the row (`lease_until`, `lease_owner`) lets one instance call
//   upstream's token/refresh, with no transaction open; the new pair is written in one
//   compare-and-swap on `version` that releases the lease; the others wait for the version to move;
// - refreshed before `expiresAt` (a margin) and after a 401 with the token that was refused;
// - a refusal by upstream (an error envelope) marks the row NEEDS_TOKEN, once (the CAS); transient
//   failures (down, slow, malformed) are retried with capped backoff within the lease, then the
//   current token is used while it is still valid.
import { randomUUID } from 'node:crypto';
import { apiTokenSchema } from '../../../shared/api/index.ts';
import { ApiError } from '../../errors.ts';
import { fullJitter, sleep as realSleep, type StoreLogger } from '../../store/log.ts';
import { affected, clipError } from '../../store/repo.ts';
import type { Vault } from '../../store/vault.ts';
import { exchange, UpstreamError, type UpstreamTransport } from './client.ts';
import type { UpstreamCredentialTable, UpstreamDb } from './tables.ts';
import type { Selectable } from 'kysely';

const ROW_ID = 'default';
type CredentialRow = Selectable<UpstreamCredentialTable>;

/** Vault associated data: a ciphertext only opens in its own field. */
const aad = {
  access: `upstream_credential:${ROW_ID}:access_token`,
  refresh: `upstream_credential:${ROW_ID}:refresh_token`,
};

export const SET_TOKEN_HINT = 'npm run admin -- upstream set-token';

/** What /readyz and `upstream status` show: never a token. */
export interface CredentialStatus {
  status: 'MISSING' | 'ACTIVE' | 'NEEDS_TOKEN';
  expiresAt: string | null;
  refreshable: boolean;
  lastRefreshAt: string | null;
  lastError: string | null;
}

export interface UpstreamCredentialOptions {
  db: UpstreamDb;
  vault: Vault;
  transport: UpstreamTransport;
  log: StoreLogger;
  instanceId?: string;
  now?: () => number;
  /** Refresh this long before `expiresAt` (default 5 min). */
  marginMs?: number;
  /** How long a refresh lease lasts; must exceed a refresh with its retries (default 30 s). */
  leaseMs?: number;
  /** Poll interval of a waiter on another instance's lease (default 100 ms, jittered). */
  pollMs?: number;
  retry?: { attempts: number; baseMs: number; capMs: number };
  /** SHOP_CHAT_UPSTREAM_ACCESS_TOKEN / _REFRESH_TOKEN: stored on first use when no credential is stored. */
  initial?: { accessToken: string; refreshToken: string | undefined };
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(Number(ms)).toISOString());
const num = (v: number | null) => (v === null ? null : Number(v));
const normalize = (r: CredentialRow): CredentialRow => ({
  ...r,
  expires_at: num(r.expires_at),
  last_refresh_at: num(r.last_refresh_at),
  lease_until: num(r.lease_until),
  version: Number(r.version),
  created_at: Number(r.created_at),
  updated_at: Number(r.updated_at),
});

const unusable = (why: string) => new ApiError(503, `${why} (${SET_TOKEN_HINT})`);

export class UpstreamCredential {
  readonly instanceId: string;
  /** Calls of upstream token/refresh made by this process (tests, metrics). */
  refreshCalls = 0;
  private readonly db: UpstreamDb;
  private readonly vault: Vault;
  private readonly transport: UpstreamTransport;
  private readonly log: StoreLogger;
  private readonly now: () => number;
  private readonly marginMs: number;
  private readonly leaseMs: number;
  private readonly pollMs: number;
  private readonly retry: { attempts: number; baseMs: number; capMs: number };
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  /** The token in use and the row version it came from: no database read per upstream call. */
  private current: { version: number; token: string; expiresAt: number | null } | undefined;
  private inflight: Promise<string> | undefined;
  private initial: { accessToken: string; refreshToken: string | undefined } | undefined;

  constructor(o: UpstreamCredentialOptions) {
    this.db = o.db;
    this.vault = o.vault;
    this.transport = o.transport;
    this.log = o.log;
    this.instanceId = o.instanceId ?? `u-${randomUUID()}`;
    this.now = o.now ?? Date.now;
    this.marginMs = o.marginMs ?? 5 * 60_000;
    this.leaseMs = o.leaseMs ?? 30_000;
    this.pollMs = o.pollMs ?? 100;
    this.retry = o.retry ?? { attempts: 3, baseMs: 250, capMs: 2000 };
    this.sleep = o.sleep ?? realSleep;
    this.random = o.random ?? Math.random;
    this.initial = o.initial;
  }

  /** Stores the credential of the environment when none is stored yet (the first start). */
  async seed(accessToken: string, refreshToken: string | undefined): Promise<boolean> {
    const now = this.now();
    const r = await this.db
      .insertInto('upstream_credential')
      .values({ ...this.sealed(accessToken, refreshToken ?? null, null), id: ROW_ID, status: 'ACTIVE', created_at: now, updated_at: now })
      .onConflict((oc) => oc.column('id').doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0n) === 1;
  }

  /** Replaces the credential (`upstream set-token`): ACTIVE again, a new version, no lease. */
  async set(accessToken: string, refreshToken: string | undefined, expiresAt: number | null = null): Promise<void> {
    const now = this.now();
    const values = { ...this.sealed(accessToken, refreshToken ?? null, expiresAt), status: 'ACTIVE', last_error: null, lease_until: null, lease_owner: null, updated_at: now };
    await this.db
      .insertInto('upstream_credential')
      .values({ ...values, id: ROW_ID, created_at: now })
      .onConflict((oc) => oc.column('id').doUpdateSet((eb) => ({ ...values, version: eb('upstream_credential.version', '+', 1) })))
      .execute();
    this.current = undefined;
  }

  async status(): Promise<CredentialStatus> {
    const row = await this.read();
    if (!row) return { status: 'MISSING', expiresAt: null, refreshable: false, lastRefreshAt: null, lastError: null };
    return {
      status: row.status === 'ACTIVE' ? 'ACTIVE' : 'NEEDS_TOKEN',
      expiresAt: iso(row.expires_at),
      refreshable: row.refresh_token_enc !== null,
      lastRefreshAt: iso(row.last_refresh_at),
      lastError: row.last_error,
    };
  }

  /** A usable access token, refreshed first when it expires within the margin. */
  async accessToken(): Promise<string> {
    const c = this.current;
    if (c && this.isFresh(c.expiresAt)) return c.token;
    const row = await this.usableRow();
    if (this.isFresh(row.expires_at) || row.refresh_token_enc === null) return this.use(row);
    return this.singleFlight(() => this.refreshLoop(row, 'margin'));
  }

  /**
   * Upstream answered 401 to `refused`: the token to retry with. Another instance's (or the CLI's)
   * newer token when there is one, else one refresh shared by every caller that saw the 401.
   */
  async afterUnauthorized(refused: string): Promise<string> {
    const row = await this.usableRow();
    const stored = this.use(row);
    if (stored !== refused) return stored;
    return this.singleFlight(() => this.refreshLoop(row, 'force'));
  }

  private isFresh(expiresAt: number | null): boolean {
    return expiresAt === null || expiresAt - this.now() > this.marginMs;
  }

  private sealed(accessToken: string, refreshToken: string | null, expiresAt: number | null) {
    return {
      access_token_enc: this.vault.encrypt(accessToken, aad.access),
      refresh_token_enc: refreshToken === null ? null : this.vault.encrypt(refreshToken, aad.refresh),
      expires_at: expiresAt,
    };
  }

  private async read(): Promise<CredentialRow | undefined> {
    const row = await this.db.selectFrom('upstream_credential').selectAll().where('id', '=', ROW_ID).executeTakeFirst();
    if (row) return normalize(row);
    // The first start with the credential in the environment; once stored, the environment is ignored.
    const initial = this.initial;
    this.initial = undefined;
    if (!initial) return undefined;
    await this.seed(initial.accessToken, initial.refreshToken);
    return this.read();
  }

  private async usableRow(): Promise<CredentialRow> {
    const row = await this.read();
    if (!row) throw unusable('this server has no upstream credential');
    if (row.status !== 'ACTIVE') throw unusable('upstream refused this server’s credential; it needs a new token');
    return row;
  }

  /** Decrypts the row's access token and keeps it as the one in use. */
  private use(row: CredentialRow): string {
    if (this.current?.version === row.version) return this.current.token;
    const token = this.vault.decrypt(row.access_token_enc, aad.access);
    this.current = { version: row.version, token, expiresAt: row.expires_at };
    return token;
  }

  private singleFlight(run: () => Promise<string>): Promise<string> {
    this.inflight ??= run().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  /** `seen`: the row whose token is too old (margin) or was refused (force). */
  private async refreshLoop(seen: CredentialRow, mode: 'margin' | 'force'): Promise<string> {
    const deadline = this.now() + this.leaseMs + 5_000;
    let row: CredentialRow | undefined = seen;
    for (;;) {
      row ??= await this.usableRow();
      if (row.version !== seen.version) return this.use(row); // another instance refreshed, or set-token
      if (mode === 'margin' && this.isFresh(row.expires_at)) return this.use(row);
      if (row.refresh_token_enc === null) {
        // A permanent token: nothing to refresh with. Refused, it needs a new one.
        if (mode === 'margin') return this.use(row);
        await this.markNeedsToken(row, 'upstream refused the access token and there is no refresh token');
        throw unusable('upstream refused this server’s credential; it needs a new token');
      }
      const held = await this.tryLease();
      if (held) {
        if (held.version !== seen.version || held.status !== 'ACTIVE') {
          await this.releaseLease();
          row = undefined;
          continue;
        }
        return this.refreshHeld(held);
      }
      if (this.now() > deadline) return this.fallback(row, 'timed out waiting for another instance to refresh');
      await this.sleep(this.pollMs / 2 + this.random() * this.pollMs);
      row = undefined;
    }
  }

  private async tryLease(): Promise<CredentialRow | undefined> {
    const now = this.now();
    const row = await this.db
      .updateTable('upstream_credential')
      .set({ lease_until: now + this.leaseMs, lease_owner: this.instanceId })
      .where('id', '=', ROW_ID)
      .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
      .returningAll()
      .executeTakeFirst();
    return row ? normalize(row) : undefined;
  }

  private async releaseLease(): Promise<void> {
    await this.db
      .updateTable('upstream_credential')
      .set({ lease_until: null, lease_owner: null })
      .where('id', '=', ROW_ID)
      .where('lease_owner', '=', this.instanceId)
      .execute();
  }

  /** Holding the lease: upstream token/refresh (transient failures retried), then the CAS. */
  private async refreshHeld(row: CredentialRow): Promise<string> {
    const leaseEnd = this.now() + this.leaseMs;
    const refreshToken = this.vault.decrypt(row.refresh_token_enc!, aad.refresh);
    let lastError: Error | undefined;
    for (let attempt = 0; attempt < this.retry.attempts; attempt++) {
      if (attempt > 0) {
        const wait = fullJitter(attempt, this.retry.baseMs, this.retry.capMs, this.random);
        if (this.now() + wait + this.transport.timeoutMs > leaseEnd) break; // never outlive the lease
        await this.sleep(wait);
      }
      try {
        this.refreshCalls++;
        const t = await exchange(this.transport, { method: 'POST', path: '/token/refresh', body: { refreshToken } }, apiTokenSchema, null);
        return await this.store(row, t.accessToken, t.refreshToken ?? refreshToken, t.permanent || t.expiresAt === null ? null : Date.parse(t.expiresAt));
      } catch (err) {
        lastError = err as Error;
        const refused = err instanceof UpstreamError && err.kind === 'envelope';
        this.log.warn({ attempt: attempt + 1, refused, error: clipError(lastError.message) }, 'upstream credential refresh failed');
        if (refused) {
          await this.markNeedsToken(row, lastError.message);
          throw unusable('upstream refused to refresh this server’s credential; it needs a new token');
        }
        if (!(err instanceof UpstreamError)) break; // a bug or the database: do not hammer upstream
      }
    }
    await this.db
      .updateTable('upstream_credential')
      .set({ lease_until: null, lease_owner: null, last_error: clipError(lastError?.message ?? 'refresh failed'), updated_at: this.now() })
      .where('id', '=', ROW_ID)
      .where('lease_owner', '=', this.instanceId)
      .execute();
    return this.fallback(row, lastError);
  }

  /** The current token while it has not expired; else the refresh's failure (502/504). */
  private fallback(row: CredentialRow, why: Error | string | undefined): string {
    if (row.expires_at === null || row.expires_at > this.now()) {
      this.log.warn({}, 'upstream credential refresh postponed; using the current token');
      return this.use(row);
    }
    if (why instanceof ApiError) throw why;
    throw new ApiError(502, `upstream credential could not be refreshed: ${typeof why === 'string' ? why : (why?.message ?? 'refresh failed')}`);
  }

  private async store(row: CredentialRow, accessToken: string, refreshToken: string, expiresAt: number | null): Promise<string> {
    const now = this.now();
    const r = await this.db
      .updateTable('upstream_credential')
      .set((eb) => ({
        ...this.sealed(accessToken, refreshToken, Number.isNaN(expiresAt) ? null : expiresAt),
        last_refresh_at: now,
        last_error: null,
        lease_until: null,
        lease_owner: null,
        version: eb('version', '+', 1),
        updated_at: now,
      }))
      .where('id', '=', ROW_ID)
      .where('version', '=', row.version)
      .executeTakeFirst();
    if (affected(r) !== 1) {
      // Only when the lease ran out mid-call and another writer came first: theirs stands.
      this.log.error({}, 'upstream credential refresh lost its compare-and-swap; keeping the stored pair');
      return this.use(await this.usableRow());
    }
    this.current = undefined;
    this.log.info({ expiresAt: iso(expiresAt) }, 'upstream credential refreshed');
    return accessToken;
  }

  /** ACTIVE → NEEDS_TOKEN in one CAS. */
  private async markNeedsToken(row: CredentialRow, reason: string): Promise<void> {
    const r = await this.db
      .updateTable('upstream_credential')
      .set((eb) => ({ status: 'NEEDS_TOKEN', last_error: clipError(reason), lease_until: null, lease_owner: null, version: eb('version', '+', 1), updated_at: this.now() }))
      .where('id', '=', ROW_ID)
      .where('version', '=', row.version)
      .where('status', '=', 'ACTIVE')
      .executeTakeFirst();
    if (affected(r) === 1) this.log.error({ reason: clipError(reason) }, `upstream credential needs a new token (${SET_TOKEN_HINT})`);
    else await this.releaseLease();
    this.current = undefined;
  }
}
