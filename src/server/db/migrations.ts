import { sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { upstreamMigration } from '../open-api/upstream/migration.ts';
import { storeMigration, webhookOutboxMigration } from '../store/migration.ts';

const text = 'text' as const;
const int = 'integer' as const;

/** Core tables; portable between SQLite and PostgreSQL (text instants, integer booleans). */
export const coreMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('users')
      .addColumn('uid', text, (c) => c.primaryKey())
      .addColumn('mobile', text, (c) => c.notNull())
      .addColumn('country', text, (c) => c.notNull())
      .addColumn('current_org_uid', text)
      .addColumn('created_at', text, (c) => c.notNull())
      .addColumn('updated_at', text, (c) => c.notNull())
      .addUniqueConstraint('users_country_mobile_uq', ['country', 'mobile'])
      .execute();

    await db.schema
      .createTable('orgs')
      .addColumn('uid', text, (c) => c.primaryKey())
      .addColumn('name', text, (c) => c.notNull())
      .addColumn('vip_level', int, (c) => c.notNull().defaultTo(0))
      .addColumn('vip_expire_date', text)
      .addColumn('max_members', int)
      .addColumn('max_agents', int)
      .addColumn('max_workgroups', int)
      .addColumn('created_at', text, (c) => c.notNull())
      .addColumn('updated_at', text, (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('shops')
      .addColumn('uid', text, (c) => c.primaryKey())
      .addColumn('shop_uid', text, (c) => c.notNull().unique())
      .addColumn('org_uid', text, (c) => c.notNull().references('orgs.uid'))
      .addColumn('user_uid', text)
      .addColumn('name', text, (c) => c.notNull())
      .addColumn('logo', text)
      .addColumn('description', text)
      .addColumn('type', text, (c) => c.notNull().defaultTo('FLAGSHIP'))
      .addColumn('enabled', int, (c) => c.notNull().defaultTo(1))
      .addColumn('vip_level', int, (c) => c.notNull().defaultTo(0))
      .addColumn('vip_expire_date', text)
      .addColumn('created_at', text, (c) => c.notNull())
      .addColumn('updated_at', text, (c) => c.notNull())
      .execute();
    await db.schema.createIndex('shops_org_uid_idx').on('shops').column('org_uid').execute();

    await db.schema
      .createTable('user_shops')
      .addColumn('user_uid', text, (c) => c.notNull().references('users.uid'))
      .addColumn('shop_uid', text, (c) => c.notNull().references('shops.uid'))
      .addColumn('created_at', text, (c) => c.notNull())
      .addPrimaryKeyConstraint('user_shops_pk', ['user_uid', 'shop_uid'])
      .execute();

    await db.schema
      .createTable('agents')
      .addColumn('uid', text, (c) => c.primaryKey())
      .addColumn('org_uid', text, (c) => c.notNull().references('orgs.uid'))
      .addColumn('shop_uid', text, (c) => c.notNull().references('shops.uid'))
      .addColumn('user_uid', text)
      .addColumn('nickname', text, (c) => c.notNull())
      .addColumn('enabled', int, (c) => c.notNull().defaultTo(1))
      .addColumn('created_at', text, (c) => c.notNull())
      .addColumn('updated_at', text, (c) => c.notNull())
      .addUniqueConstraint('agents_shop_user_uq', ['shop_uid', 'user_uid'])
      .execute();

    await db.schema
      .createTable('workgroups')
      .addColumn('uid', text, (c) => c.primaryKey())
      .addColumn('org_uid', text, (c) => c.notNull().references('orgs.uid'))
      .addColumn('shop_uid', text, (c) => c.notNull().unique().references('shops.uid'))
      .addColumn('nickname', text, (c) => c.notNull())
      .addColumn('enabled', int, (c) => c.notNull().defaultTo(1))
      .addColumn('created_at', text, (c) => c.notNull())
      .addColumn('updated_at', text, (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('seats')
      .addColumn('uid', text, (c) => c.primaryKey())
      .addColumn('org_uid', text, (c) => c.notNull().references('orgs.uid'))
      .addColumn('shop_uid', text, (c) => c.notNull().references('shops.uid'))
      .addColumn('seat_no', text, (c) => c.notNull())
      .addColumn('source', text, (c) => c.notNull())
      .addColumn('status', text, (c) => c.notNull())
      .addColumn('base_seat', int, (c) => c.notNull().defaultTo(0))
      .addColumn('type', text, (c) => c.notNull().defaultTo('CUSTOMER'))
      .addColumn('expire_at', text)
      .addColumn('assigned_agent_uid', text)
      .addColumn('assigned_member_uid', text)
      .addColumn('assigned_at', text)
      .addColumn('released_at', text)
      .addColumn('deleted_at', text)
      .addColumn('created_at', text, (c) => c.notNull())
      .addColumn('updated_at', text, (c) => c.notNull())
      .execute();
    // seatNo is unique per organisation among live (not deleted) seats.
    await db.schema
      .createIndex('seats_org_seat_no_live_uq')
      .on('seats')
      .columns(['org_uid', 'seat_no'])
      .unique()
      .where(sql.ref('deleted_at'), 'is', null)
      .execute();
    await db.schema.createIndex('seats_shop_uid_idx').on('seats').columns(['shop_uid', 'created_at']).execute();

    await db.schema
      .createTable('api_tokens')
      .addColumn('uid', text, (c) => c.primaryKey())
      .addColumn('kind', text, (c) => c.notNull())
      .addColumn('org_uid', text, (c) => c.references('orgs.uid'))
      .addColumn('user_uid', text)
      .addColumn('name', text, (c) => c.notNull())
      .addColumn('description', text)
      .addColumn('access_hash', text, (c) => c.notNull().unique())
      .addColumn('access_hint', text, (c) => c.notNull())
      .addColumn('refresh_hash', text, (c) => c.unique())
      .addColumn('refresh_hint', text)
      .addColumn('type', text)
      .addColumn('scope', text, (c) => c.notNull().defaultTo('[]'))
      .addColumn('expires_at', text)
      .addColumn('refresh_expires_at', text)
      .addColumn('permanent', int, (c) => c.notNull().defaultTo(0))
      .addColumn('revoked', int, (c) => c.notNull().defaultTo(0))
      .addColumn('revoke_reason', text)
      .addColumn('channel', text)
      .addColumn('device', text)
      .addColumn('deleted_at', text)
      .addColumn('created_at', text, (c) => c.notNull())
      .addColumn('updated_at', text, (c) => c.notNull())
      .execute();
    await db.schema.createIndex('api_tokens_org_idx').on('api_tokens').columns(['org_uid', 'created_at']).execute();
    await db.schema.createIndex('api_tokens_user_idx').on('api_tokens').columns(['user_uid', 'created_at']).execute();
  },
  async down(db: Kysely<any>) {
    for (const t of ['api_tokens', 'seats', 'workgroups', 'agents', 'user_shops', 'shops', 'orgs', 'users']) {
      await db.schema.dropTable(t).ifExists().execute();
    }
  },
};

/** All migrations, in order: core first, then the store connections, upstream mode's tables, the webhook outbox. */
export const migrations: Record<string, Migration> = {
  '001_core': coreMigration,
  '002_store': storeMigration,
  '004_upstream': upstreamMigration,
  '005_webhook_outbox': webhookOutboxMigration,
};

/** In-code migration provider (nothing is read from disk). */
export const migrationProvider: MigrationProvider = {
  async getMigrations() {
    return migrations;
  },
};
