// Entry point: `npm run server` / `npm start`. Reads config, opens the database, runs migrations,
// serves, and shuts down gracefully on SIGTERM/SIGINT.
import { ConfigError, loadConfig, loadDotEnv, type Config } from './config.ts';
import { serviceContext, type AppDeps } from './deps.ts';

/** Onboards the demo pages' shop through the open API's own code path, once. */
async function ensureDemoShop(deps: AppDeps, shopUid: string): Promise<void> {
  const { findShopByShopUid, onboard } = await import('./services/shops.ts');
  if (await findShopByShopUid(deps.db, shopUid)) return;
  await onboard(serviceContext(deps), { mobile: '13800000000', country: '86', shopUid, shopName: '演示商城', shopLogo: undefined });
  deps.log.info({ shopUid }, 'demo shop onboarded (SHOP_CHAT_DEMO_SHOP=off disables)');
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
  const { buildApp } = await import('./app.ts');
  const handle = createDatabase(config.databaseUrl);
  try {
    await migrateToLatest(handle.db);
  } catch (err) {
    process.stderr.write(`Database migration failed: ${(err as Error).message.split('\n')[0]}\n`);
    await handle.close().catch(() => {});
    process.exit(1);
  }

  const app = await buildApp({ db: handle.db, dialect: handle.dialect, config });

  if (config.demoShop) await ensureDemoShop(app.deps, config.demoShop);

  // Background refresh of store-platform tokens (SHOP_CHAT_REFRESH_SWEEP=off disables it).
  const { startRefreshSweep } = await import('./store/sweep.ts');
  const sweep = startRefreshSweep(app.deps);

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
      await app.close(); // stops accepting, waits for requests in flight
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
}

void main();
