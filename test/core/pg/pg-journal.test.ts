import { afterAll, beforeAll, describe, it } from 'vitest';
import { silentLogger } from '../../../src/core/logger.ts';
import { PgJournal } from '../../../src/core/pg/pg-journal.ts';
import { journalContract } from '../journal/journal-contract.ts';
import { holdsDatabase, pgReachable, TEST_DATABASE_URL, testDb } from './pg-test-db.ts';

const reachable = await pgReachable();
if (reachable) holdsDatabase({ beforeAll, afterAll });

if (reachable) {
  journalContract('PgJournal', async () => {
    const db = await testDb();
    const open = () => PgJournal.open({ pool: db.pool, names: db.names, connectionString: TEST_DATABASE_URL, log: silentLogger });
    let journal = await open();
    return {
      journal,
      reopen: async () => {
        await journal.close();
        journal = await open();
        return journal;
      },
      cleanup: async () => {
        await journal.close();
        await db.cleanup();
      },
    };
  });
} else {
  describe('PgJournal (Journal contract)', () => {
    it.skip('needs PostgreSQL (see the warning above)', () => {});
  });
}
