import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/core/logger.ts';
import { type LeaderLease, startLeaderLease } from '../../../src/core/pg/leader-lease.ts';
import { holdsDatabase, pgReachable, type TestDb, testDb } from './pg-test-db.ts';

const reachable = await pgReachable();
if (reachable) holdsDatabase({ beforeAll, afterAll });

const becomes = (lease: LeaderLease, value: boolean) =>
  new Promise<void>((resolve) => {
    if (lease.isLeader === value) return resolve();
    const off = lease.onChange((now) => {
      if (now === value) {
        off();
        resolve();
      }
    });
  });

describe.skipIf(!reachable)('leader lease', () => {
  let db: TestDb;
  const leases: LeaderLease[] = [];
  afterEach(async () => {
    for (const l of leases.splice(0)) await l.stop();
    await db.cleanup();
  });

  const start = (holder: string, ttlMs = 600) => {
    const lease = startLeaderLease({ pool: db.pool, names: db.names, holder, log: silentLogger, ttlMs, renewMs: 50 });
    leases.push(lease);
    return lease;
  };

  it('makes exactly one of several instances the leader', async () => {
    db = await testDb();
    const all = ['a', 'b', 'c'].map((h) => start(h));
    await Promise.race(all.map((l) => becomes(l, true)));
    // Nothing announces a refused renewal, so give every contender two renew periods to try.
    await new Promise<void>((resolve) => setTimeout(resolve, 120));
    expect(all.filter((l) => l.isLeader)).toHaveLength(1);
    const { rows } = await db.pool.query(`SELECT holder FROM ${db.names.table('leases')}`);
    expect(rows).toEqual([{ holder: all.find((l) => l.isLeader)!.holder }]);
  });

  it('hands leadership to another instance as soon as the leader stops', async () => {
    db = await testDb();
    const first = start('first');
    await becomes(first, true);
    const second = start('second');
    await first.stop();
    expect(first.isLeader).toBe(false);
    await becomes(second, true);
    expect(second.isLeader).toBe(true);
  });

  it('takes over a lease whose holder vanished only once it has expired', async () => {
    db = await testDb();
    // a leader that was killed: its row stays until it expires
    const { rows: ghost } = await db.pool.query<{ expires_at: Date }>(
      `INSERT INTO ${db.names.table('leases')} (name, holder, expires_at, acquired_at)
       VALUES ('scheduler', 'killed', now() + interval '400 milliseconds', now()) RETURNING expires_at`,
    );
    const ghostExpiry = ghost[0]!.expires_at;
    const successor = start('successor');
    const changes: boolean[] = [];
    successor.onChange((v) => changes.push(v));
    await becomes(successor, true);
    const { rows } = await db.pool.query<{ holder: string; late: boolean }>(
      `SELECT holder, acquired_at >= $1::timestamptz AS late FROM ${db.names.table('leases')}`,
      [ghostExpiry],
    );
    expect(rows).toEqual([{ holder: 'successor', late: true }]);
    expect(changes).toEqual([true]);
  });
});

if (!reachable) {
  describe('leader lease', () => {
    it.skip('needs PostgreSQL (see the warning above)', () => {});
  });
}
