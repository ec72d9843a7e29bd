// Tells the business system about authorisation results (seed 004: asynchronous notification):
// a JSON POST to SHOP_CHAT_WEBHOOK_URL signed with `X-Shop-Chat-Signature: sha256=<hex HMAC-SHA256
// of the raw body, key SHOP_CHAT_WEBHOOK_SECRET>`.
//
// Through an outbox, so a restart or a crash loses nothing:
// - `enqueue` writes the delivery (its id, the event id and the body, fixed there) into
//   `webhook_outbox` inside the caller's transaction, the one of the state change it reports: no
//   AUTHORIZED without its webhook, no webhook for a change that was rolled back.
// - Any instance may send it. A sender claims due rows by compare-and-set on the lease
//   (UPDATE … SET lease_owner, lease_until WHERE id IN (…) AND still due AND the lease is free), so two
//   instances never send one row at the same moment; it POSTs each with `X-Shop-Chat-Delivery-Id`,
//   the row's id, the same on every attempt, so a receiver can drop duplicates. Success deletes the
//   row; a failure schedules the next attempt with capped full-jitter backoff, up to maxAttempts.
// - At least once: a sender that dies between the POST and the delete leaves the row leased; once
//   the lease runs out another pass sends it again.
// - Woken right after a local commit (the latency of a direct POST), and, once started (the
//   server), polling every second for rows of other instances and of a crash.
import { createHmac, randomUUID } from 'node:crypto';
import type { ExpressionBuilder } from 'kysely';
import type { StoreWebhookEvent } from '../../shared/store/api.ts';
import type { StoreConfig } from './config.ts';
import { fullJitter, type StoreLogger } from './log.ts';
import { databasePause } from './pause.ts';
import { clipError, storeDb, type StoreDb } from './repo.ts';
import type { StoreTables } from './tables.ts';

export type WebhookInput = Omit<StoreWebhookEvent, 'eventId' | 'type' | 'occurredAt' | 'auth_status'>;

/** Told about every attempt's outcome (the metrics). */
export interface WebhookObserver {
  delivery?(outcome: 'delivered' | 'failed' | 'given_up'): void;
}

export interface WebhookSender {
  /** False without SHOP_CHAT_WEBHOOK_URL: nothing is written or sent. */
  readonly enabled: boolean;
  /**
   * Writes one delivery into the outbox with `trx`, the transaction of the state change it reports.
   * Call `wake()` once that transaction has committed.
   */
  enqueue(trx: StoreDb, event: WebhookInput): Promise<void>;
  /**
   * Runs `change` in one transaction of `db` (the database of the outbox); the events it passes to
   * `notify` are written in that transaction and sent once it has committed (enqueue, then wake).
   */
  transaction<T>(db: StoreDb, change: (trx: StoreDb, notify: (event: WebhookInput) => Promise<void>) => Promise<T>): Promise<T>;
  /** Sends what is due now (after a local commit); never throws. */
  wake(): void;
  /** Polls for due rows every pollMs from now on (the server: other instances' rows, a crash's). */
  start(): void;
  /** Resolves when the outbox holds nothing due or pending any more: delivered or given up (tests). */
  drain(): Promise<void>;
  /** Rows in the outbox, of every instance: still to send, and given up (the metrics). */
  counts(): Promise<{ pending: number; givenUp: number }>;
  /** Stops sending; rows in flight are released unsent (another pass sends them). */
  stop(): Promise<void>;
}

export interface WebhookOptions {
  db: unknown;
  url?: string | undefined;
  secret?: string | undefined;
  log: StoreLogger;
  fetch?: typeof fetch;
  timeoutMs?: number;
  maxAttempts?: number;
  baseMs?: number;
  capMs?: number;
  /** Lease owner id of this sender (default: random). */
  instanceId?: string;
  pollMs?: number;
  /** How long a claimed row is held: beyond one POST's timeout (default 30 s). */
  leaseMs?: number;
  /** While the database is unreachable, how often the sender tries again. */
  pausedRetryMs?: number;
  observer?: WebhookObserver;
}

export const SIGNATURE_HEADER = 'x-shop-chat-signature';
export const EVENT_ID_HEADER = 'x-shop-chat-event-id';
export const DELIVERY_ID_HEADER = 'x-shop-chat-delivery-id';
export const WEBHOOK_MAX_ATTEMPTS = 8;
/** How often a started sender looks for due rows (±20 %). */
export const WEBHOOK_POLL_MS = 1000;
export const WEBHOOK_LEASE_MS = 30_000;
export const WEBHOOK_PAUSED_RETRY_MS = 5_000;
/** Rows one claim takes, i.e. POSTs in flight at once per sender. */
const CLAIM_BATCH = 16;

/** The sender of the store config's SHOP_CHAT_WEBHOOK_URL and SHOP_CHAT_WEBHOOK_SECRET. */
export function webhookSenderFor(
  config: Pick<StoreConfig, 'SHOP_CHAT_WEBHOOK_URL' | 'SHOP_CHAT_WEBHOOK_SECRET'>,
  opts: Omit<WebhookOptions, 'url' | 'secret'>,
): WebhookSender {
  return createWebhookSender({ ...opts, url: config.SHOP_CHAT_WEBHOOK_URL, secret: config.SHOP_CHAT_WEBHOOK_SECRET });
}

export function signWebhookBody(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

interface OutboxRow {
  id: string;
  event_id: string;
  body: string;
  attempts: number;
}

export function createWebhookSender(opts: WebhookOptions): WebhookSender {
  const db = storeDb(opts.db);
  const log = opts.log;
  const url = opts.url;
  const maxAttempts = opts.maxAttempts ?? WEBHOOK_MAX_ATTEMPTS;
  const baseMs = opts.baseMs ?? 1000;
  const capMs = opts.capMs ?? 5 * 60_000;
  const pollMs = opts.pollMs ?? WEBHOOK_POLL_MS;
  const leaseMs = opts.leaseMs ?? WEBHOOK_LEASE_MS;
  const pausedRetryMs = opts.pausedRetryMs ?? WEBHOOK_PAUSED_RETRY_MS;
  const owner = opts.instanceId ?? `w-${randomUUID()}`;
  const doFetch = opts.fetch ?? fetch;
  const pause = databasePause(log, 'webhook sender');
  const target = (() => {
    try {
      return url ? new URL(url).origin : '';
    } catch {
      return '';
    }
  })();

  let started = false;
  let stopped = false;
  const stopping = new AbortController();
  let running: Promise<void> | undefined;
  let again = false;
  let timer: NodeJS.Timeout | undefined;
  /** Next attempts this sender scheduled: it comes back for them even when it does not poll. */
  let retryAt: number[] = [];

  const leaseFree = (now: number) => (eb: ExpressionBuilder<StoreTables, 'webhook_outbox'>) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]);

  /**
   * Takes due rows. A read finds them first, so an idle poll writes nothing (a write would cost
   * the read caches their entries); the UPDATE then re-checks due and lease row by row, so of
   * two senders that found the same rows each row goes to one.
   */
  async function claim(): Promise<OutboxRow[]> {
    const now = Date.now();
    const due = await db
      .selectFrom('webhook_outbox')
      .select('id')
      .where('next_attempt_at', '<=', now)
      .where(leaseFree(now))
      .orderBy('next_attempt_at')
      .limit(CLAIM_BATCH)
      .execute();
    if (due.length === 0) return [];
    const rows = await db
      .updateTable('webhook_outbox')
      .set({ lease_owner: owner, lease_until: now + leaseMs })
      .where('id', 'in', due.map((r) => r.id))
      .where('next_attempt_at', '<=', now)
      .where(leaseFree(now))
      .returning(['id', 'event_id', 'body', 'attempts'])
      .execute();
    return rows.map((r) => ({ ...r, attempts: Number(r.attempts) }));
  }

  const describeBody = (body: string) => {
    try {
      const e = JSON.parse(body) as Partial<StoreWebhookEvent>;
      return { shopUid: e.shopUid, status: e.status };
    } catch {
      return {};
    }
  };

  async function deliver(row: OutboxRow): Promise<void> {
    const attempt = row.attempts + 1;
    const ids = { webhook: target, eventId: row.event_id, deliveryId: row.id, attempt };
    let failure: string;
    try {
      const res = await doFetch(url!, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [SIGNATURE_HEADER]: signWebhookBody(opts.secret ?? '', row.body),
          [EVENT_ID_HEADER]: row.event_id,
          [DELIVERY_ID_HEADER]: row.id,
        },
        body: row.body,
        signal: AbortSignal.any([AbortSignal.timeout(opts.timeoutMs ?? 5000), stopping.signal]),
        redirect: 'error',
      });
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) {
        // Delivered even if this delete fails: the row is then sent again (at least once).
        await db.deleteFrom('webhook_outbox').where('id', '=', row.id).execute();
        log.info({ ...ids, ...describeBody(row.body) }, 'store webhook delivered');
        opts.observer?.delivery?.('delivered');
        return;
      }
      failure = `HTTP ${res.status}`;
      log.warn({ ...ids, httpStatus: res.status }, 'store webhook refused');
    } catch (err) {
      if (stopping.signal.aborted) {
        // Shutting down: not an attempt. Released, so another sender need not wait for the lease.
        await release(row.id);
        return;
      }
      const code = ((err as { cause?: { code?: unknown } }).cause?.code as string | undefined) ?? '';
      failure = code ? `${(err as Error).name} (${code})` : (err as Error).name;
      log.warn({ ...ids, error: failure }, 'store webhook failed');
    }
    opts.observer?.delivery?.('failed');
    const now = Date.now();
    const giveUp = attempt >= maxAttempts;
    const next = giveUp ? null : now + Math.max(50, fullJitter(attempt, baseMs, capMs));
    await db
      .updateTable('webhook_outbox')
      .set({ attempts: attempt, next_attempt_at: next, lease_until: null, lease_owner: null, last_error: clipError(failure) })
      .where('id', '=', row.id)
      .where('lease_owner', '=', owner)
      .execute();
    if (next === null) {
      log.error({ ...ids, ...describeBody(row.body), error: failure }, 'store webhook given up');
      opts.observer?.delivery?.('given_up');
    } else retryAt.push(next);
  }

  async function release(id: string): Promise<void> {
    await db
      .updateTable('webhook_outbox')
      .set({ lease_until: null, lease_owner: null })
      .where('id', '=', id)
      .where('lease_owner', '=', owner)
      .execute()
      .catch(() => undefined);
  }

  /** Claims and sends until nothing is due. */
  async function sendDue(): Promise<void> {
    while (!stopped) {
      let rows: OutboxRow[];
      try {
        rows = await claim();
        pause.reached();
      } catch (err) {
        if (!pause.failed(err)) log.error({ error: (err as Error).message }, 'webhook sender failed');
        return;
      }
      if (rows.length === 0) return;
      await Promise.all(
        rows.map((row) =>
          deliver(row).catch((err) => {
            // The POST's outcome could not be recorded (the database went away): the lease runs
            // out and the row is sent again.
            if (!pause.failed(err)) log.error({ deliveryId: row.id, error: (err as Error).message }, 'webhook sender failed');
          }),
        ),
      );
    }
  }

  function schedule(): void {
    clearTimeout(timer);
    timer = undefined;
    if (stopped) return;
    const now = Date.now();
    let at = Math.min(...retryAt);
    if (pause.paused) at = Math.min(at, now + pausedRetryMs);
    else if (started) at = Math.min(at, now + pollMs * (0.8 + Math.random() * 0.4));
    if (at === Infinity) return;
    timer = setTimeout(() => void pass(), Math.max(0, at - now));
    timer.unref?.();
  }

  /** One pass (or joins the running one, which then goes round once more). */
  function pass(): Promise<void> {
    if (!url || stopped) return Promise.resolve();
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        const startedAt = Date.now();
        await sendDue();
        // Scheduled attempts that came due during the pass may have been missed by its claims.
        retryAt = retryAt.filter((t) => t > startedAt);
      } while (again && !stopped);
    })().finally(() => {
      running = undefined;
      schedule();
    });
    return running;
  }

  const sender: WebhookSender = {
    enabled: !!url,
    async enqueue(trx, input) {
      if (!url) return;
      const event: StoreWebhookEvent = {
        eventId: randomUUID(),
        type: 'store.authorization',
        occurredAt: new Date().toISOString(),
        ...input,
        auth_status: input.status === 'AUTHORIZED' ? 'SUCCESS' : 'FAIL',
      };
      const now = Date.now();
      await trx
        .insertInto('webhook_outbox')
        .values({ id: randomUUID(), event_id: event.eventId, body: JSON.stringify(event), attempts: 0, next_attempt_at: now, lease_until: null, lease_owner: null, last_error: null, created_at: now })
        .execute();
    },
    async transaction(target, change) {
      let notified = false;
      const result = await target.transaction().execute((trx) =>
        change(trx, async (event) => {
          await sender.enqueue(trx, event);
          notified = true;
        }),
      );
      if (notified) sender.wake();
      return result;
    },
    wake() {
      void pass();
    },
    start() {
      if (!url || started) return;
      started = true;
      void pass();
    },
    async drain() {
      if (!url) return;
      while (!stopped) {
        await pass();
        const now = Date.now();
        const pending = await db
          .selectFrom('webhook_outbox')
          .select((eb) => [eb.fn.countAll().as('n'), eb.fn.min('next_attempt_at').as('due')])
          .where('next_attempt_at', 'is not', null)
          .executeTakeFirst();
        if (!pending || Number(pending.n) === 0) return;
        // Due later, or leased (by a pass in flight, here or elsewhere): look again then.
        await new Promise((r) => setTimeout(r, Math.min(200, Math.max(10, Number(pending.due) - now))));
      }
    },
    async counts() {
      if (!url) return { pending: 0, givenUp: 0 };
      const r = await db
        .selectFrom('webhook_outbox')
        .select((eb) => [eb.fn.countAll().as('all'), eb.fn.count('next_attempt_at').as('pending')])
        .executeTakeFirst();
      const pending = Number(r?.pending ?? 0);
      return { pending, givenUp: Number(r?.all ?? 0) - pending };
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      stopping.abort();
      await running;
    },
  };
  return sender;
}
