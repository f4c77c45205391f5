import type pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { JournalError } from '../../../src/core/journal/journal.ts';
import { PgAppender } from '../../../src/core/pg/pg-appender.ts';
import { draft } from '../journal/drafts.ts';
import { holdsDatabase, pgReachable, type TestDb, testDb } from './pg-test-db.ts';

const reachable = await pgReachable();
if (reachable) holdsDatabase({ beforeAll, afterAll });

type Fault = 'before the commit' | 'after the commit';

// A pool whose connections drop at one chosen moment: while the append lock is taken
// (nothing sent yet), or right after the commit ran but before its answer arrived.
const droppingPool = (real: pg.Pool, fault: Fault): pg.Pool =>
  ({
    connect: async () => {
      const client = await real.connect();
      return new Proxy(client, {
        get(target, key, receiver) {
          if (key !== 'query') return Reflect.get(target, key, receiver);
          return async (...args: Parameters<pg.PoolClient['query']>) => {
            const sql = String(args[0]);
            if (fault === 'before the commit' && sql.startsWith('BEGIN')) throw new Error('Connection terminated unexpectedly');
            const result = await (target.query as (...a: unknown[]) => Promise<unknown>)(...args);
            if (fault === 'after the commit' && sql.startsWith('INSERT INTO')) throw new Error('Connection terminated unexpectedly');
            return result;
          };
        },
      });
    },
  }) as unknown as pg.Pool;

describe.skipIf(!reachable)('what a failed PostgreSQL append says about its outcome', () => {
  let db: TestDb;
  afterEach(async () => {
    await db.cleanup();
  });

  const attempt = async (fault: Fault) => {
    db = await testDb();
    const failure = await new PgAppender(droppingPool(db.pool, fault), db.names).append([draft('acme-roofing')], 0).catch((e: unknown) => e);
    const { rows } = await db.pool.query(`SELECT seq FROM ${db.names.table('events')}`);
    return { failure: failure as JournalError, recorded: rows.length };
  };

  it('says the outcome is unknown when the connection drops while the commit is on its way (it may have been recorded)', async () => {
    const { failure, recorded } = await attempt('after the commit');
    expect(failure).toBeInstanceOf(JournalError);
    expect(failure).toMatchObject({ code: 'unavailable', outcome: 'unknown' });
    // here the commit did happen: "nothing was changed" would have been false
    expect(recorded).toBe(1);
  });

  it('says nothing was recorded when the connection drops before anything was written', async () => {
    const { failure, recorded } = await attempt('before the commit');
    expect(failure).toMatchObject({ code: 'unavailable', outcome: 'not-recorded' });
    expect(recorded).toBe(0);
  });
});
