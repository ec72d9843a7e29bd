// Waiting for SQLite's write lock without blocking the event loop. better-sqlite3 is synchronous:
// its `busy_timeout` sleeps inside the call, so a 5 s timeout froze every request (health checks,
// the public widget config) while another process (a second server, the CLI, a backup) held the
// lock. Here SQLite's own wait is short (SQLITE_BUSY_TIMEOUT_MS), and a statement that still finds
// the database busy is retried from a timer, with backoff, up to a deadline, then answered 503.
import { databaseUnavailable } from '../errors.ts';

/** SQLite's own blocking wait (`pragma busy_timeout`): one such wait stalls the event loop. */
export const SQLITE_BUSY_TIMEOUT_MS = 10;

/** True for SQLite's "database is locked" family (SQLITE_BUSY and its extended codes). */
export function isSqliteBusy(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
}

export interface BusyWaiter {
  /**
   * `attempt()` now, unless statements are already waiting for the lock; when SQLite answers busy,
   * it is retried asynchronously until `deadlineMs` after the first try, then rejected with a 503.
   * Only ever call it for a statement that is safe to repeat: outside a transaction, or `begin`.
   */
  run<T>(attempt: () => T): T | Promise<T>;
  /** Statements waiting for the lock right now. */
  readonly waiting: number;
}

/**
 * Waiters form one queue and only its head tries, so while the lock is held the event loop is
 * blocked at most SQLITE_BUSY_TIMEOUT_MS per backoff step, not once per waiting request.
 */
export function busyWaiter(deadlineMs: number): BusyWaiter {
  let waiting = 0;
  let tail: Promise<unknown> = Promise.resolve();
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const self: BusyWaiter = {
    get waiting() {
      return waiting;
    },
    run<T>(attempt: () => T): T | Promise<T> {
      const deadline = Date.now() + deadlineMs;
      if (waiting === 0) {
        try {
          return attempt();
        } catch (err) {
          if (!isSqliteBusy(err)) throw err;
        }
      }
      waiting++;
      const result = tail.then(async () => {
        for (let delay = 2; ; delay = Math.min(delay * 2, 50)) {
          // Past the deadline: give up without another (blocking) try.
          if (Date.now() >= deadline) throw databaseUnavailable('database busy, retry later');
          try {
            return attempt();
          } catch (err) {
            if (!isSqliteBusy(err)) throw err;
          }
          await sleep(Math.max(1, Math.min(deadline - Date.now(), delay * (0.5 + Math.random()))));
        }
      });
      const settled = result.finally(() => waiting--);
      tail = settled.catch(() => {});
      return settled;
    },
  };
  return self;
}
