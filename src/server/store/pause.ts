// Background jobs (the refresh sweep, the webhook sender) and an unreachable database: one warning
// when a job finds it out, one line when it is back, nothing per retry in between.
import { isDatabaseUnavailable } from '../errors.ts';
import type { StoreLogger } from './log.ts';

export interface DatabasePause {
  readonly paused: boolean;
  /** True (and paused, warned once) when `err` says the database is unavailable; false for any other error. */
  failed(err: unknown): boolean;
  /** The job reached the database: says "resumed" once if it was paused. */
  reached(): void;
}

/** Logs `<job> paused: database unavailable` and `<job> resumed: database reachable again`. */
export function databasePause(log: StoreLogger, job: string): DatabasePause {
  let paused = false;
  return {
    get paused() {
      return paused;
    },
    failed(err) {
      if (!isDatabaseUnavailable(err)) return false;
      if (!paused) log.warn({ error: (err as Error).message }, `${job} paused: database unavailable`);
      paused = true;
      return true;
    },
    reached() {
      if (paused) log.info({}, `${job} resumed: database reachable again`);
      paused = false;
    },
  };
}
