/** Defaults of the database settings (config.ts SHOP_CHAT_DB_*, db/index.ts DatabaseOptions), in one place. */
export const DATABASE_DEFAULTS = {
  poolSize: 10,
  connectTimeoutMs: 1000,
  statementTimeoutMs: 1000,
  acquireTimeoutMs: 5000,
  busyTimeoutMs: 1500,
} as const;
