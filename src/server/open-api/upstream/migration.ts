import type { Kysely, Migration } from 'kysely';

// Migration 004_upstream: the upstream credential and the binding mirror. Portable DDL only.
export const upstreamMigration: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    await db.schema
      .createTable('upstream_credential')
      .addColumn('id', 'varchar(32)', (c) => c.primaryKey())
      .addColumn('status', 'varchar(16)', (c) => c.notNull())
      .addColumn('access_token_enc', 'text', (c) => c.notNull())
      .addColumn('refresh_token_enc', 'text')
      .addColumn('expires_at', 'double precision')
      .addColumn('last_refresh_at', 'double precision')
      .addColumn('last_error', 'varchar(500)')
      .addColumn('version', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('lease_until', 'double precision')
      .addColumn('lease_owner', 'varchar(64)')
      .addColumn('created_at', 'double precision', (c) => c.notNull())
      .addColumn('updated_at', 'double precision', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('upstream_binding')
      .addColumn('shop_uid', 'varchar(128)', (c) => c.primaryKey())
      .addColumn('org_uid', 'varchar(128)', (c) => c.notNull())
      .addColumn('workgroup_uid', 'varchar(128)')
      .addColumn('name', 'varchar(255)', (c) => c.notNull())
      .addColumn('logo', 'text')
      .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('seen_at', 'double precision', (c) => c.notNull())
      .addColumn('created_at', 'double precision', (c) => c.notNull())
      .addColumn('updated_at', 'double precision', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('upstream_binding_org_idx').on('upstream_binding').column('org_uid').execute();
  },
  async down(db: Kysely<any>): Promise<void> {
    await db.schema.dropTable('upstream_binding').ifExists().execute();
    await db.schema.dropTable('upstream_credential').ifExists().execute();
  },
};
