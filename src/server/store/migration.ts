import type { Kysely, Migration } from 'kysely';

// Store-connection tables; registered after the core migration by src/server/db/migrations.ts.
// Portable DDL only: the same statements run on SQLite and PostgreSQL.
export const storeMigration = {
  async up(db: Kysely<any>): Promise<void> {
    await db.schema
      .createTable('store_connection')
      .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
      .addColumn('shop_uid', 'varchar(128)', (c) => c.notNull())
      .addColumn('org_uid', 'varchar(128)')
      .addColumn('platform', 'varchar(16)', (c) => c.notNull())
      .addColumn('seller_id', 'varchar(64)')
      .addColumn('seller_name', 'varchar(255)')
      .addColumn('seller_key', 'varchar(96)')
      .addColumn('auth_type', 'varchar(8)', (c) => c.notNull())
      .addColumn('status', 'varchar(16)', (c) => c.notNull())
      .addColumn('access_token_enc', 'text')
      .addColumn('refresh_token_enc', 'text')
      .addColumn('credentials_enc', 'text')
      .addColumn('auth_fingerprint', 'varchar(96)')
      .addColumn('scope', 'text')
      .addColumn('expires_at', 'double precision')
      .addColumn('refresh_expires_at', 'double precision')
      .addColumn('last_refresh_at', 'double precision')
      .addColumn('last_error', 'varchar(500)')
      .addColumn('fail_count', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('next_attempt_at', 'double precision')
      .addColumn('version', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('lease_until', 'double precision')
      .addColumn('lease_owner', 'varchar(64)')
      .addColumn('created_at', 'double precision', (c) => c.notNull())
      .addColumn('updated_at', 'double precision', (c) => c.notNull())
      .addUniqueConstraint('store_connection_shop_platform_uq', ['shop_uid', 'platform'])
      .execute();
    // NULLs are distinct in unique indexes on both engines: only held sellers / fingerprints collide.
    await db.schema
      .createIndex('store_connection_seller_key_uq')
      .on('store_connection')
      .column('seller_key')
      .unique()
      .execute();
    await db.schema
      .createIndex('store_connection_fingerprint_uq')
      .on('store_connection')
      .column('auth_fingerprint')
      .unique()
      .execute();
    await db.schema
      .createIndex('store_connection_due_idx')
      .on('store_connection')
      .columns(['status', 'expires_at'])
      .execute();

    await db.schema
      .createTable('store_auth_state')
      .addColumn('nonce', 'varchar(64)', (c) => c.primaryKey())
      .addColumn('connection_id', 'varchar(64)', (c) => c.notNull())
      .addColumn('shop_uid', 'varchar(128)', (c) => c.notNull())
      .addColumn('platform', 'varchar(16)', (c) => c.notNull())
      .addColumn('seller_id', 'varchar(64)')
      .addColumn('redirect_url', 'varchar(255)')
      .addColumn('created_at', 'double precision', (c) => c.notNull())
      .addColumn('expires_at', 'double precision', (c) => c.notNull())
      .addColumn('consumed_at', 'double precision')
      .execute();
    await db.schema
      .createIndex('store_auth_state_expires_idx')
      .on('store_auth_state')
      .column('expires_at')
      .execute();
  },
  async down(db: Kysely<any>): Promise<void> {
    await db.schema.dropTable('store_auth_state').ifExists().execute();
    await db.schema.dropTable('store_connection').ifExists().execute();
  },
};

// Migration 005_webhook_outbox: the webhooks still to send, written in the transaction of the
// state change each reports (store/webhook.ts). A row is deleted once delivered; one that gave up
// stays, with next_attempt_at NULL and its last error, for an operator to look at or requeue.
export const webhookOutboxMigration: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    await db.schema
      .createTable('webhook_outbox')
      .addColumn('id', 'varchar(64)', (c) => c.primaryKey()) // the delivery id (X-Shop-Chat-Delivery-Id)
      .addColumn('event_id', 'varchar(64)', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull()) // the exact bytes every attempt sends
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('next_attempt_at', 'double precision')
      .addColumn('lease_until', 'double precision')
      .addColumn('lease_owner', 'varchar(64)')
      .addColumn('last_error', 'varchar(500)')
      .addColumn('created_at', 'double precision', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('webhook_outbox_due_idx').on('webhook_outbox').column('next_attempt_at').execute();
  },
  async down(db: Kysely<any>): Promise<void> {
    await db.schema.dropTable('webhook_outbox').ifExists().execute();
  },
};
