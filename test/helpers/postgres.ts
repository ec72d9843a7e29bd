import { describe, test } from 'node:test';

/** The PostgreSQL of the tests (`.ci/run` sets it: 127.0.0.1:5432, database `test`). */
export const PG_URL = process.env.TEST_DATABASE_URL;

let noticePrinted = false;

/**
 * Stands in for a PostgreSQL suite when TEST_DATABASE_URL is not set: a failing test under CI=true
 * (PostgreSQL must run there), elsewhere a skipped suite and, once per file, a visible line.
 */
export function postgresMissing(name: string): void {
  if (process.env.CI === 'true') {
    describe(name, () => {
      test('TEST_DATABASE_URL is required when CI=true', () => {
        throw new Error('TEST_DATABASE_URL must be set when CI=true (PostgreSQL tests cannot be skipped in CI)');
      });
    });
    return;
  }
  if (!noticePrinted) {
    noticePrinted = true;
    console.log('# PostgreSQL tests skipped: TEST_DATABASE_URL not set');
  }
  describe(name, { skip: 'PostgreSQL tests skipped: TEST_DATABASE_URL not set' }, () => {});
}
