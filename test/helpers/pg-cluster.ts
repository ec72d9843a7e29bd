// A private PostgreSQL cluster (and a PgBouncer in front of it) for fault tests: initdb in a temp
// folder, a free port, stopped and removed at the end. The tests stop, restart, freeze (SIGSTOP)
// and terminate it, which they cannot do to the shared server on 5432. As root (CI) the server
// runs as the `postgres` user: initdb and pgbouncer refuse root.
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from './net.ts';

const PG_BIN = (() => {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  return versions.length ? join(root, versions[0]!, 'bin') : undefined;
})();
const PGBOUNCER = ['/usr/sbin/pgbouncer', '/usr/bin/pgbouncer'].find((p) => existsSync(p));

/** Why a private cluster cannot be started here, or undefined when it can. */
export function pgClusterMissing(): string | undefined {
  if (!PG_BIN || !existsSync(join(PG_BIN, 'initdb'))) return 'PostgreSQL server binaries (/usr/lib/postgresql/*/bin) not installed';
  return undefined;
}

/** Why PgBouncer cannot be started here, or undefined when it can. */
export function pgbouncerMissing(): string | undefined {
  return PGBOUNCER ? undefined : 'pgbouncer not installed (apt-get install pgbouncer)';
}

const asRoot = process.getuid?.() === 0;

/** Runs `cmd` as the postgres user when we are root. */
function asPostgres(cmd: string, args: string[]): [string, string[]] {
  return asRoot ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
}

function ownedTempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    chownSync(dir, uid, gid);
  }
  return dir;
}

export interface PgCluster {
  port: number;
  /** postgres://postgres@127.0.0.1:PORT/DATABASE */
  url(database?: string): string;
  /** Creates a database (fresh per test file). */
  createDatabase(name: string): Promise<void>;
  /** `pg_ctl stop -m fast` (asynchronous, so a test's load keeps running meanwhile). */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** `pg_ctl restart -m fast`. */
  restart(): Promise<void>;
  /** SIGSTOP (true) or SIGCONT (false) to the postmaster and every backend. */
  freeze(frozen: boolean): void;
  /** pg_terminate_backend of every other connection to `database`; how many were terminated. */
  terminateBackends(database: string): Promise<number>;
  /** Stops the cluster and removes its folder. */
  destroy(): Promise<void>;
}

/** initdb + pg_ctl start on a free port in a temp folder (fsync off: a test cluster). */
export async function startPgCluster(): Promise<PgCluster> {
  const reason = pgClusterMissing();
  if (reason) throw new Error(reason);
  const dir = ownedTempDir('shop-chat-pg-');
  const data = join(dir, 'data');
  const port = await freePort();
  const run = async (cmd: string, args: string[]) => {
    const [c, a] = asPostgres(join(PG_BIN!, cmd), args);
    await promisify(execFile)(c, a, { cwd: dir });
  };
  await run('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200 -c shared_buffers=32MB`;
  const pgCtl = (...args: string[]) => run('pg_ctl', ['-D', data, '-l', join(dir, 'log'), '-w', '-t', '30', ...args]);
  await pgCtl('-o', opts, 'start');
  const url = (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`;
  const admin = async <T>(fn: (c: pg.Client) => Promise<T>) => {
    const c = new pg.Client({ connectionString: url(), connectionTimeoutMillis: 3000 });
    await c.connect();
    try {
      return await fn(c);
    } finally {
      await c.end();
    }
  };
  const pids = () => {
    const main = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
    const children = execFileSync('ps', ['-o', 'pid=', '--ppid', String(main)])
      .toString()
      .split('\n')
      .map((l) => Number(l.trim()))
      .filter((n) => n > 0);
    return [main, ...children];
  };
  let stopped = false;
  const cluster: PgCluster = {
    port,
    url,
    createDatabase: (name) => admin(async (c) => void (await c.query(`create database ${name}`))),
    stop: () => pgCtl('-m', 'fast', 'stop'),
    start: () => pgCtl('-o', opts, 'start'),
    restart: () => pgCtl('-m', 'fast', '-o', opts, 'restart'),
    freeze(frozen) {
      for (const pid of frozen ? pids() : pids().reverse()) {
        try {
          process.kill(pid, frozen ? 'SIGSTOP' : 'SIGCONT');
        } catch {
          /* a backend that just ended */
        }
      }
    },
    terminateBackends: (database) =>
      admin(async (c) => {
        const r = await c.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [database]);
        return r.rowCount ?? 0;
      }),
    async destroy() {
      if (stopped) return;
      stopped = true;
      try {
        cluster.freeze(false);
        await pgCtl('-m', 'immediate', 'stop');
      } catch {
        /* already stopped */
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return cluster;
}

export interface PgBouncer {
  port: number;
  url(database: string): string;
  stop(): Promise<void>;
}

/**
 * PgBouncer in transaction mode in front of `127.0.0.1:pgPort` (every database, trust auth).
 * Retries of a failed server login every second (default 15 s), so it recovers as fast as we do.
 */
export async function startPgBouncer(pgPort: number, poolSize = 60): Promise<PgBouncer> {
  const reason = pgbouncerMissing();
  if (reason) throw new Error(reason);
  const dir = ownedTempDir('shop-chat-pgbouncer-');
  const port = await freePort();
  const ini = join(dir, 'pgbouncer.ini');
  writeFileSync(join(dir, 'users.txt'), '"postgres" ""\n');
  writeFileSync(
    ini,
    [
      '[databases]',
      `* = host=127.0.0.1 port=${pgPort}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      `unix_socket_dir = ${dir}`,
      'auth_type = trust',
      `auth_file = ${join(dir, 'users.txt')}`,
      'pool_mode = transaction',
      `default_pool_size = ${poolSize}`,
      'max_client_conn = 1000',
      'server_login_retry = 1',
      'server_connect_timeout = 2',
      'query_wait_timeout = 10',
      'admin_users = postgres',
      '',
    ].join('\n'),
  );
  if (asRoot) execFileSync('chown', ['-R', 'postgres:postgres', dir]);
  const [cmd, args] = asPostgres(PGBOUNCER!, [ini]);
  const child: ChildProcess = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += String(d)));
  const deadline = Date.now() + 10_000;
  for (;;) {
    const c = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${port}/postgres`, connectionTimeoutMillis: 1000 });
    try {
      await c.connect();
      await c.query('select 1');
      await c.end();
      break;
    } catch (err) {
      await c.end().catch(() => {});
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`pgbouncer did not start: ${(err as Error).message} ${stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    port,
    url: (database) => `postgres://postgres@127.0.0.1:${port}/${database}`,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        // runuser forwards the signal to pgbouncer.
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
