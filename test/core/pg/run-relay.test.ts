import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { conflict, DomainError } from '../../../src/core/domain/errors.ts';
import { silentLogger } from '../../../src/core/logger.ts';
import { createRunRelay } from '../../../src/core/pg/run-relay.ts';
import type { Origin } from '../../../src/core/service.ts';
import { holdsDatabase, pgReachable, type TestDb, TEST_DATABASE_URL, testDb } from './pg-test-db.ts';

const reachable = await pgReachable();
if (reachable) holdsDatabase({ beforeAll, afterAll });

const origin: Origin = { source: 'ui', actor: 'night-shift' };

describe.skipIf(!reachable)('run relay', () => {
  let db: TestDb;
  const stops: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const stop of stops.splice(0)) await stop();
    await db.cleanup();
  });

  const relay = (holder: string, answerTimeoutMs?: number) =>
    createRunRelay({ pool: db.pool, names: db.names, connectionString: TEST_DATABASE_URL, holder, log: silentLogger, answerTimeoutMs });

  it('starts a run asked of another instance on the leader, and answers with its id', async () => {
    db = await testDb();
    const started: Array<[string, Origin]> = [];
    stops.push(
      relay('leader').serve(async (tenant, o) => {
        started.push([tenant, o]);
        return { runId: `run-${tenant}` };
      }),
    );
    expect(await relay('follower').ask('acme-roofing', origin)).toEqual({ runId: 'run-acme-roofing' });
    expect(started).toEqual([['acme-roofing', origin]]);
  });

  it("passes the leader's refusal back with its code", async () => {
    db = await testDb();
    stops.push(
      relay('leader').serve(async (tenant) => {
        throw conflict(`tenant "${tenant}" has a run in progress`);
      }),
    );
    const refused = await relay('follower').ask('acme-roofing', origin).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(DomainError);
    expect(refused).toMatchObject({ code: 'conflict', message: 'tenant "acme-roofing" has a run in progress' });
  });

  it('answers "unavailable" when no leader takes the request, and never runs it later', async () => {
    db = await testDb();
    const refused = await relay('follower', 200).ask('acme-roofing', origin).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'unavailable' });
    const started: string[] = [];
    stops.push(
      relay('late-leader').serve(async (tenant) => {
        started.push(tenant);
        return { runId: 'late' };
      }),
    );
    // the leader's first pass takes every open request: the withdrawn one is not among them
    expect(await relay('follower').ask('beta-roofing', origin)).toEqual({ runId: 'late' });
    expect(started).toEqual(['beta-roofing']);
  });
});

if (!reachable) {
  describe('run relay', () => {
    it.skip('needs PostgreSQL (see the warning above)', () => {});
  });
}
