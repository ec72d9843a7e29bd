// Tells the business system about authorisation results (seed 004: asynchronous notification):
// a JSON POST to SHOP_CHAT_WEBHOOK_URL signed with `X-Shop-Chat-Signature: sha256=<hex HMAC-SHA256
// of the raw body, key SHOP_CHAT_WEBHOOK_SECRET>`, retried in the background with capped
// exponential backoff and full jitter; `notify` never blocks and never throws.
import { createHmac, randomUUID } from 'node:crypto';
import type { StoreWebhookEvent } from '../../shared/store/api.ts';
import { fullJitter, type StoreLogger } from './log.ts';

export type WebhookInput = Omit<StoreWebhookEvent, 'eventId' | 'type' | 'occurredAt' | 'auth_status'>;

export interface WebhookSender {
  notify(event: WebhookInput): void;
  /** Resolves when every queued delivery has succeeded or given up (tests, shutdown). */
  drain(): Promise<void>;
  /** Stops retrying; pending deliveries are abandoned at their next wait. */
  stop(): Promise<void>;
}

export interface WebhookOptions {
  url?: string | undefined;
  secret?: string | undefined;
  log: StoreLogger;
  fetch?: typeof fetch;
  timeoutMs?: number;
  maxAttempts?: number;
  baseMs?: number;
  capMs?: number;
}

export const SIGNATURE_HEADER = 'x-shop-chat-signature';

export function signWebhookBody(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export function createWebhookSender(opts: WebhookOptions): WebhookSender {
  const pending = new Set<Promise<void>>();
  const timers = new Set<{ t: NodeJS.Timeout; resolve: () => void }>();
  let stopped = false;
  const maxAttempts = opts.maxAttempts ?? 8;
  const baseMs = opts.baseMs ?? 1000;
  const capMs = opts.capMs ?? 5 * 60_000;
  const doFetch = opts.fetch ?? fetch;
  const target = (() => {
    try {
      return opts.url ? new URL(opts.url).origin : '';
    } catch {
      return '';
    }
  })();

  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      const entry = {
        t: setTimeout(() => {
          timers.delete(entry);
          resolve();
        }, ms),
        resolve,
      };
      entry.t.unref?.();
      timers.add(entry);
    });

  async function deliver(event: StoreWebhookEvent): Promise<void> {
    const body = JSON.stringify(event);
    const signature = signWebhookBody(opts.secret ?? '', body);
    for (let attempt = 0; attempt < maxAttempts && !stopped; attempt++) {
      if (attempt > 0) await wait(Math.max(50, fullJitter(attempt, baseMs, capMs)));
      if (stopped) break;
      try {
        const res = await doFetch(opts.url!, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            [SIGNATURE_HEADER]: signature,
            'x-shop-chat-event-id': event.eventId,
          },
          body,
          signal: AbortSignal.timeout(opts.timeoutMs ?? 5000),
          redirect: 'error',
        });
        await res.arrayBuffer().catch(() => undefined);
        if (res.ok) {
          opts.log.info({ webhook: target, eventId: event.eventId, status: event.status, attempt: attempt + 1 }, 'store webhook delivered');
          return;
        }
        opts.log.warn({ webhook: target, eventId: event.eventId, httpStatus: res.status, attempt: attempt + 1 }, 'store webhook refused');
      } catch (err) {
        opts.log.warn({ webhook: target, eventId: event.eventId, error: (err as Error).name, attempt: attempt + 1 }, 'store webhook failed');
      }
    }
    opts.log.error({ webhook: target, eventId: event.eventId, shopUid: event.shopUid, status: event.status }, 'store webhook given up');
  }

  return {
    notify(input) {
      if (!opts.url || stopped) return;
      const event: StoreWebhookEvent = {
        eventId: randomUUID(),
        type: 'store.authorization',
        occurredAt: new Date().toISOString(),
        ...input,
        auth_status: input.status === 'AUTHORIZED' ? 'SUCCESS' : 'FAIL',
      };
      const p: Promise<void> = deliver(event)
        .catch(() => undefined)
        .finally(() => pending.delete(p));
      pending.add(p);
    },
    async drain() {
      while (pending.size) await Promise.all([...pending]);
    },
    async stop() {
      stopped = true;
      for (const e of timers) {
        clearTimeout(e.t);
        e.resolve();
      }
      timers.clear();
      await Promise.all([...pending]);
    },
  };
}
