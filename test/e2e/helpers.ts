// Shared setup of the end-to-end tests: the real server as a child process (`node scripts/start.mjs`,
// what `npm start` runs) on a free port with a temp SQLite database and the demo shop, and Debian's
// Chromium driven by playwright-core (never a downloaded browser).
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROME_ARGS, chromePath } from '../../scripts/chromium.mjs';
import { freePort } from '../helpers/net.ts';
import { spawnUntilReady } from '../helpers/server-process.ts';


export const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const SCREENSHOTS = join(ROOT, 'test/e2e/screenshots');


export interface RunningServer {
  base: string;
  port: number;
  dir: string;
  databaseUrl: string;
  env: Record<string, string>;
  output(): string;
  stop(): Promise<void>;
}

/** Common environment of a test server: temp SQLite, no sweep, a vault key, quiet logs. */
export function serverEnv(dir: string, port: number, extra: Record<string, string> = {}): Record<string, string> {
  return {
    HOST: '127.0.0.1',
    PORT: String(port),
    DATABASE_URL: `sqlite:${join(dir, 'shop-chat.db')}`,
    LOG_LEVEL: 'warn',
    SHOP_CHAT_REFRESH_SWEEP: 'off',
    SHOP_CHAT_SECRET_KEY: randomBytes(32).toString('base64'),
    SHOP_CHAT_PUBLIC_URL: `http://127.0.0.1:${port}`,
    ...extra,
  };
}

/** Starts the server as `npm start` does (scripts/start.mjs) and waits for /readyz. */
export async function startServer(opts: { env?: Record<string, string>; dir?: string } = {}): Promise<RunningServer> {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'shop-chat-e2e-'));
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const env = serverEnv(dir, port, opts.env);
  // NODE_ENV stays unset, as for a developer's `npm start`: the server defaults to development, and
  // a build start.mjs may run stays a production build (NODE_ENV=development would make Vite pick
  // lit's development files).
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  delete childEnv.NODE_ENV;
  const server = await spawnUntilReady(['scripts/start.mjs'], childEnv, { port, readyPath: '/readyz' });
  return {
    base: server.base,
    port,
    dir,
    databaseUrl: env.DATABASE_URL!,
    env,
    output: server.output,
    async stop() {
      await server.stop();
      if (!opts.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: chromePath(), args: CHROME_ARGS });
}

export interface WatchedPage {
  page: Page;
  /** Console errors, page errors and failed requests seen so far. */
  errors: string[];
  /** Requests to anything but this machine (blocked). */
  external: string[];
}

/**
 * A new page that records errors and blocks every request leaving 127.0.0.1 (the tests run
 * offline); `allow` lists URL prefixes a test serves itself with page.route.
 */
export async function watchedPage(browser: Browser, opts: { width?: number; height?: number; allow?: string[] } = {}): Promise<WatchedPage> {
  const context = await browser.newContext({ viewport: { width: opts.width ?? 1280, height: opts.height ?? 800 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const errors: string[] = [];
  const external: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()} (${m.location().url})`);
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('response', (r) => {
    if (r.status() >= 400) errors.push(`HTTP ${r.status()} ${r.url()}`);
  });
  await context.route(
    (url) => !/^https?:\/\/(127\.0\.0\.1|localhost)(:\d+)?\//.test(url.href) && !(opts.allow ?? []).some((p) => url.href.startsWith(p)),
    (route) => {
      external.push(route.request().url());
      return route.abort('blockedbyclient');
    },
  );
  return { page, errors, external };
}

export function screenshotPath(name: string): string {
  mkdirSync(SCREENSHOTS, { recursive: true });
  return join(SCREENSHOTS, name);
}

/** Polls `fn` until it returns a truthy value. */
export async function waitFor<T>(fn: () => Promise<T> | T, what: string, timeoutMs = 10_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v as NonNullable<T>;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
