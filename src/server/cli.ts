// Administration CLI: `npm run admin -- token create --name NAME` prints the new admin token's JSON once.
//   token create --name NAME [--description TEXT]
//   token list
//   token revoke --uid UID [--reason TEXT]
//   store refresh-due [--concurrency N]   refreshes every store token due within 7 days, once
//   upstream set-token [--expires-at ISO] | upstream status   this server's upstream credential
import { parseArgs } from 'node:util';
import { createServices, type Services } from './compose.ts';
import { ConfigError, loadConfig, loadDotEnv } from './config.ts';
import { createDatabase, migrateToLatest } from './db/index.ts';
import { UPSTREAM_USAGE, upstreamAdmin } from './open-api/upstream/admin.ts';
import { createToken, getTokenOr404, revokeToken, toApiToken } from './services/tokens.ts';

const USAGE = `usage: npm run admin -- token create --name NAME [--description TEXT]
       npm run admin -- token list
       npm run admin -- token revoke --uid UID [--reason TEXT]
       npm run admin -- store refresh-due [--concurrency N]
${UPSTREAM_USAGE}`;

async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      description: { type: 'string' },
      uid: { type: 'string' },
      reason: { type: 'string' },
      concurrency: { type: 'string' },
      'expires-at': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [group, action] = positionals;
  if (values.help || !((group === 'token' && action) || (group === 'store' && action === 'refresh-due') || (group === 'upstream' && action))) {
    process.stderr.write(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  loadDotEnv();
  const config = loadConfig();
  const handle = createDatabase(config.databaseUrl, config.database);
  // The same composition root as the server; warnings go to stderr (stdout is the command's JSON).
  const services = createServices({ ...config, logLevel: 'warn' }, handle, { defaultMetrics: false, logStream: process.stderr });
  try {
    await migrateToLatest(handle.db);
    const ctx = services.tokens;
    if (group === 'upstream') {
      if (!services.upstream) {
        process.stderr.write('upstream commands need SHOP_CHAT_UPSTREAM_URL (upstream mode)\n');
        return 2;
      }
      return await upstreamAdmin(action, services.upstream.credential, {
        expiresAt: values['expires-at'],
        env: process.env,
        out: (text) => process.stdout.write(`${text}\n`),
        err: (text) => process.stderr.write(`${text}\n`),
      });
    }
    if (group === 'store') return await storeRefreshDue(services, values.concurrency === undefined ? undefined : Number(values.concurrency));
    if (action === 'create') {
      if (!values.name) {
        process.stderr.write('--name is required\n');
        return 2;
      }
      const { row, accessToken } = await createToken(ctx, {
        kind: 'admin',
        orgUid: null,
        name: values.name,
        description: values.description,
        permanent: true,
      });
      process.stdout.write(`${JSON.stringify(toApiToken(row, config.timezone, { accessToken }), null, 2)}\n`);
      return 0;
    }
    if (action === 'list') {
      const rows = await handle.db.selectFrom('api_tokens').selectAll().where('kind', '=', 'admin').where('deleted_at', 'is', null).orderBy('created_at').execute();
      process.stdout.write(`${JSON.stringify(rows.map((r) => toApiToken(r, config.timezone)), null, 2)}\n`);
      return 0;
    }
    if (action === 'revoke') {
      if (!values.uid) {
        process.stderr.write('--uid is required\n');
        return 2;
      }
      const row = await getTokenOr404(handle.db, values.uid);
      await revokeToken(ctx, row, values.reason ?? 'revoked by admin CLI');
      process.stdout.write(`${JSON.stringify({ uid: row.uid, revoked: true })}\n`);
      return 0;
    }
    process.stderr.write(`${USAGE}\n`);
    return 2;
  } finally {
    await services.close();
    await handle.close();
  }
}

/** One pass of the refresh sweep with a progress line on stderr and the counts as JSON on stdout. */
async function storeRefreshDue(services: Services, concurrency: number | undefined): Promise<number> {
  // Without --concurrency, the sweep's own default applies.
  if (concurrency !== undefined && (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 256)) {
    process.stderr.write('--concurrency must be an integer from 1 to 256\n');
    return 2;
  }
  const { refreshDue } = await import('./store/sweep.ts');
  const line = (msg: string) => (process.stderr.isTTY ? process.stderr.write(`\r${msg}\x1b[K`) : process.stderr.write(`${msg}\n`));
  let lastPrinted = -1;
  const result = await refreshDue(
    services.store,
    {
      ...(concurrency === undefined ? {} : { concurrency }),
      onProgress: (p) => {
        // Every connection on a terminal, every 10 % otherwise: readable in CI logs too.
        const step = process.stderr.isTTY ? 1 : Math.max(1, Math.ceil(p.total / 10));
        if (p.done !== p.total && p.done - lastPrinted < step) return;
        lastPrinted = p.done;
        line(`refresh-due: ${p.done}/${p.total} done, ${p.refreshed} refreshed, ${p.needsReauth} need re-authorisation, ${p.failed} failed, ${p.skipped} skipped`);
      },
    },
  );
  if (process.stderr.isTTY) process.stderr.write('\n');
  process.stdout.write(`${JSON.stringify(result)}\n`);
  return result.failed > 0 ? 1 : 0;
}

run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${err instanceof ConfigError ? err.message : `error: ${(err as Error).message}`}\n`);
    process.exit(1);
  },
);
