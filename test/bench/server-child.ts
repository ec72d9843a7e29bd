// Server process of the benchmarks and the crash test: `src/server/main.ts` when it exists, else an
// equivalent bootstrap (config → database → migrations → buildApp → listen), so the benchmark can
// run while main.ts is being written. BENCH_FORCE_BOOTSTRAP=1 always uses the bootstrap.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../../src/server/main.ts', import.meta.url));
if (existsSync(main) && process.env.BENCH_FORCE_BOOTSTRAP !== '1') {
  await import(main);
} else {
  const { loadConfig } = await import('../../src/server/config.ts');
  const { createDatabase, migrateToLatest } = await import('../../src/server/db/index.ts');
  const { buildApp } = await import('../../src/server/app.ts');
  const config = loadConfig(process.env);
  const handle = createDatabase(config.databaseUrl, process.env.PG_SEARCH_PATH ? { searchPath: process.env.PG_SEARCH_PATH } : {});
  await migrateToLatest(handle.db);
  const app = await buildApp({ db: handle.db, dialect: handle.dialect, config });
  app.addHook('onClose', async () => handle.close());
  await app.listen({ host: config.host, port: config.port });
  for (const sig of ['SIGTERM', 'SIGINT'] as const) process.once(sig, () => void app.close().then(() => process.exit(0)));
}
