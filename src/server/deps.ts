import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import type { Auth } from './auth.ts';
import type { Config } from './config.ts';
import type { DialectName } from './db/index.ts';
import type { Database } from './db/types.ts';
import type { ServiceContext } from './services/shops.ts';
import type { TokenContext } from './services/tokens.ts';

/** Everything a route plugin needs; passed as plugin options (no globals). */
export interface AppDeps {
  db: Kysely<Database>;
  dialect: DialectName;
  config: Config;
  auth: Auth;
  log: FastifyBaseLogger;
  now: () => Date;
}

export function serviceContext(deps: AppDeps): ServiceContext {
  return {
    db: deps.db,
    dialect: deps.dialect,
    timezone: deps.config.timezone,
    autoRegister: deps.config.autoRegister,
    now: deps.now,
  };
}

export function tokenContext(deps: AppDeps): TokenContext {
  return {
    db: deps.db,
    timezone: deps.config.timezone,
    tokenTtlSeconds: deps.config.tokenTtlSeconds,
    refreshTokenTtlSeconds: deps.config.refreshTokenTtlSeconds,
    now: deps.now,
  };
}
