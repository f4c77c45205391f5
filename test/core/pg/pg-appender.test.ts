import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Unsequenced } from '../../../src/core/domain/events.ts';
import { DomainError } from '../../../src/core/domain/errors.ts';
import { PgAppender } from '../../../src/core/pg/pg-appender.ts';
import { draft } from '../journal/drafts.ts';
import { holdsDatabase, pgReachable, type TestDb, testDb } from './pg-test-db.ts';

const reachable = await pgReachable();
if (reachable) holdsDatabase({ beforeAll, afterAll });

const succeeded = (tenant: string) =>
  ({ ...draft(tenant), type: 'run.succeeded', data: { runId: 'r1', durationMs: 5 } }) as Unsequenced;

describe.skipIf(!reachable)('PgAppender guards', () => {
  let db: TestDb;
  afterEach(async () => {
    await db.cleanup();
  });

  it('refuses a settings change decided before another instance changed that tenant', async () => {
    db = await testDb();
    const here = new PgAppender(db.pool, db.names);
    const there = new PgAppender(db.pool, db.names);
    await there.append([draft('acme-roofing')], 0);
    const stale = await here.append([draft('acme-roofing')], 0).catch((e: unknown) => e);
    expect(stale).toBeInstanceOf(DomainError);
    expect((stale as DomainError).code).toBe('conflict');
    expect((stale as Error).message).toMatch(/acme-roofing.*another instance/);
  });

  it('accepts the same stale decision for another tenant, and run outcomes whatever the basis', async () => {
    db = await testDb();
    const here = new PgAppender(db.pool, db.names);
    const there = new PgAppender(db.pool, db.names);
    await there.append([draft('acme-roofing')], 0);
    const other = await here.append([draft('beta-roofing')], 0);
    const outcome = await here.append([succeeded('acme-roofing')], 0);
    expect(other.events[0]!.seq).toBe(2);
    expect(outcome.events[0]!.seq).toBe(3);
  });

  it('never counts its own earlier appends as a change by someone else', async () => {
    db = await testDb();
    const here = new PgAppender(db.pool, db.names);
    await here.append([draft('acme-roofing')], 0);
    const again = await here.append([draft('acme-roofing')], 0);
    expect(again.events[0]!.seq).toBe(2);
  });

  it('fails only the append the database refuses, not the ones committed with it', async () => {
    db = await testDb();
    const here = new PgAppender(db.pool, db.names);
    const results = await Promise.allSettled([
      here.append([draft('a')], 0),
      here.append([draft('b', { data: { reason: 'nul \u0000 byte' } } as Partial<Unsequenced>)], 0),
      here.append([draft('c')], 0),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(((results[1] as PromiseRejectedResult).reason as DomainError).code).toBe('invalid');
    const { rows } = await db.pool.query(`SELECT seq, tenant FROM ${db.names.table('events')} ORDER BY seq`);
    expect(rows).toEqual([
      { seq: 1, tenant: 'a' },
      { seq: 2, tenant: 'c' },
    ]);
  });
});

if (!reachable) {
  describe('PgAppender guards', () => {
    it.skip('needs PostgreSQL (see the warning above)', () => {});
  });
}
