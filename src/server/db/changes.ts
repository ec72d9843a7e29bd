// What makes a read cache exact on PostgreSQL, where other instances write too: a change version.
// It moves on every write of this instance (when it is sent and again when it commits) and on every
// notification of another instance's commit (LISTEN shop_chat_changes; each instance's writes send
// pg_notify in their own transaction, so the notification goes out exactly when the data is
// visible). A cache entry is served only while the version it was loaded at is current, and only
// while the LISTEN connection is up: without it another instance's writes would go unseen, so a lost
// connection means no cache until it is back (and everything loaded before is dropped).
import { randomUUID } from 'node:crypto';
import pg from 'pg';

export const CHANGES_CHANNEL = 'shop_chat_changes';
/** Longest a write waits for its own notification to come back (db/index.ts). */
export const ECHO_WAIT_MS = 500;

export interface ChangeFeed {
  /** This instance's id (its notifications' payloads start with it; its own are not counted twice). */
  readonly instance: string;
  /** Moves whenever data may have changed (here or elsewhere). */
  readonly version: number;
  /** True while the LISTEN connection is up: only then may a cache serve. */
  readonly live: boolean;
  /** A local write was sent or committed. */
  bump(): void;
  /** The payload of this instance's next notification. */
  nextPayload(): string;
  /**
   * Resolves once this instance's own notification `payload` has come back on the LISTEN
   * connection (PostgreSQL sends it to every listener at once, so the other instances have been sent
   * theirs), or after ECHO_WAIT_MS, or at once without a live connection.
   */
  echo(payload: string): Promise<void>;
  close(): Promise<void>;
}

/** Ends the LISTEN connection for good (the pool's own end). */
export function startChangeFeed(url: string, o: { connectTimeoutMs: number; onError?: (err: Error) => void }): ChangeFeed {
  const instance = randomUUID();
  let version = 0;
  let live = false;
  let closed = false;
  let client: pg.Client | undefined;
  let retry: NodeJS.Timeout | undefined;
  let delay = 100;
  let seq = 0;
  const echoes = new Map<string, () => void>();

  const connect = async () => {
    retry = undefined;
    const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: o.connectTimeoutMs, keepAlive: true });
    client = c;
    const lost = (err?: Error) => {
      if (client !== c) return;
      client = undefined;
      live = false;
      version++;
      if (err) o.onError?.(err);
      c.end().catch(() => {});
      if (!closed) retry = setTimeout(() => void connect(), delay).unref();
      delay = Math.min(delay * 2, 5_000);
    };
    c.on('error', lost);
    c.on('end', () => lost());
    c.on('notification', (n) => {
      const own = n.payload !== undefined && n.payload.startsWith(instance);
      if (!own) version++;
      else echoes.get(n.payload!)?.();
    });
    try {
      await c.connect();
      await c.query(`listen ${CHANGES_CHANNEL}`);
      if (client !== c) return;
      // Whatever was loaded before this connection may have missed notifications.
      version++;
      live = true;
      delay = 100;
    } catch (err) {
      lost(err as Error);
    }
  };
  void connect();

  return {
    instance,
    get version() {
      return version;
    },
    get live() {
      return live;
    },
    bump() {
      version++;
    },
    nextPayload: () => `${instance}:${++seq}`,
    echo(payload) {
      if (!live) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          echoes.delete(payload);
          // After the other sockets that became readable with it (another instance's LISTEN
          // connection in the same process) have been read.
          setImmediate(resolve);
        };
        const timer = setTimeout(done, ECHO_WAIT_MS);
        echoes.set(payload, done);
      });
    },
    async close() {
      closed = true;
      live = false;
      clearTimeout(retry);
      const c = client;
      client = undefined;
      await c?.end().catch(() => {});
    },
  };
}
