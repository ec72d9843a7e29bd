// Migrations on a PostgreSQL database that holds other schemas: each schema (search_path) gets its
// own migration tables and its own tables, whatever the other schemas hold.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, test } from 'node:test';
import pg from 'pg';
import { createDatabase, migrateToLatest } from '../../src/server/db/index.ts';
import { PG_URL, postgresMissing } from '../helpers/postgres.ts';

if (!PG_URL) {
  postgresMissing('migrations [postgres]');
} else {
  const url = PG_URL;
  describe('migrations [postgres]', () => {
    const schemas = [`mig_a_${randomBytes(4).toString('hex')}`, `mig_b_${randomBytes(4).toString('hex')}`];
    const admin = async <T>(fn: (c: pg.Client) => Promise<T>) => {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      try {
        return await fn(c);
      } finally {
        await c.end();
      }
    };
    after(() => admin(async (c) => void (await c.query(`drop schema if exists ${schemas.join(', ')} cascade`))));

    test('a second schema migrates although the first already has kysely_migration tables', async () => {
      await admin(async (c) => void (await c.query(`create schema ${schemas[0]}; create schema ${schemas[1]}`)));
      for (const schema of schemas) {
        const handle = createDatabase(url, { searchPath: schema });
        try {
          const ran = await migrateToLatest(handle.db);
          assert.ok(ran.length > 0, `${schema}: migrations ran`);
          assert.deepEqual(await migrateToLatest(handle.db), [], `${schema}: a second run has nothing to do`);
        } finally {
          await handle.close();
        }
      }
      const tables = await admin(async (c) => (await c.query('select table_schema, table_name from information_schema.tables where table_schema = any($1)', [schemas])).rows);
      for (const schema of schemas) {
        const names = tables.filter((t) => t.table_schema === schema).map((t) => t.table_name);
        assert.ok(names.includes('kysely_migration') && names.includes('shops'), `${schema} has its migration table and its tables: ${names.join(', ')}`);
      }
    });
  });
}
