// Entry point: `npm run server` / `npm start`. Reads config, opens the database, runs migrations,
// serves, and shuts down gracefully on SIGTERM/SIGINT.
import type { Services } from './compose.ts';
import { ConfigError, loadConfig, loadDotEnv, type Config } from './config.ts';

/** Onboards the demo pages' shop through the open API's own code path, once. */
async function ensureDemoShop(services: Services, shopUid: string): Promise<void> {
  if (await services.openApi.findShop(shopUid)) return;
  await services.openApi.onboard({ mobile: '13800000000', country: '86', shopUid, shopName: '演示商城', shopLogo: undefined });
  services.log.info({ shopUid }, 'demo shop onboarded (SHOP_CHAT_DEMO_SHOP=off disables)');
}

async function main(): Promise<void> {
  let config: Config;
  try {
    loadDotEnv();
    config = loadConfig();
  } catch (err) {
    process.stderr.write(`${err instanceof ConfigError ? err.message : `Invalid configuration: ${(err as Error).message}`}\n`);
    process.exit(1);
  }

  // Loaded after the configuration is known to be valid, so a bad value fails fast.
  const { createDatabase, migrateToLatest } = await import('./db/index.ts');
  const { buildApp, PACKAGE_VERSION } = await import('./app.ts');
  const { createServices } = await import('./compose.ts');
  const handle = createDatabase(config.databaseUrl, config.database);
  try {
    await migrateToLatest(handle.db);
  } catch (err) {
    process.stderr.write(`Database migration failed: ${(err as Error).message.split('\n')[0]}\n`);
    await handle.close().catch(() => {});
    process.exit(1);
  }

  // The composition root: every service once, handed to the app and the sweep.
  const services = createServices(config, handle);
  const app = await buildApp(services);

  // Never onboard a demo shop at a real Bytedesk.
  if (config.demoShop && !config.upstream) await ensureDemoShop(services, config.demoShop);

  // Background refresh of store-platform tokens (SHOP_CHAT_REFRESH_SWEEP=off disables it).
  const { startRefreshSweep } = await import('./store/sweep.ts');
  const sweep = startRefreshSweep(services.store);
  // The webhook outbox: what other instances or an earlier run (a crash) left is sent from here too.
  services.store.webhook.start();

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      app.log.error('shutdown timed out');
      process.exit(1);
    }, 10_000);
    force.unref();
    try {
      await sweep.stop();
      await app.close(); // stops accepting, waits for requests in flight, closes the services
      await handle.close();
      clearTimeout(force);
      process.exit(0);
    } catch (err) {
      app.log.error({ err }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (err) {
    process.stderr.write(`Cannot listen on ${config.host}:${config.port}: ${(err as Error).message}\n`);
    await handle.close().catch(() => {});
    process.exit(1);
  }
  // First contact: where to go next, in the log line a developer sees after `npm start`.
  const port = (app.server.address() as { port: number }).port;
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host.includes(':') ? `[${config.host}]` : config.host;
  const base = `http://${host}:${port}`;
  const links = {
    ...(config.demoPages ? { demo: `${base}/demo/` } : {}),
    ...(config.docs ? { docs: `${base}/docs` } : {}),
    api: `${base}/api/v1/shop/open`,
  };
  app.log.info(links, `shop-chat ${PACKAGE_VERSION} ready: ${Object.entries(links).map(([k, v]) => `${k} ${v}`).join(' · ')}`);
}

void main();
