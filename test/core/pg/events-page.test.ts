import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/core/clock.ts';
import type { Envelope } from '../../../src/core/domain/events.ts';
import { chainHash } from '../../../src/core/journal/line-codec.ts';
import { silentLogger } from '../../../src/core/logger.ts';
import { openPgStore, type PgStore } from '../../../src/core/pg/pg-store.ts';
import { CommandService } from '../../../src/core/service.ts';
import { createApp } from '../../../src/http/app.ts';
import { dropSchema, holdsDatabase, pgReachable, randomSchema, TEST_DATABASE_URL } from './pg-test-db.ts';

const reachable = await pgReachable();
if (reachable) holdsDatabase({ beforeAll, afterAll });

const T0 = Date.parse('2026-11-25T08:00:00.000Z');

describe.skipIf(!reachable)('GET /api/events on an instance a little behind the others', () => {
  let schema: string;
  let store: PgStore | undefined;
  afterEach(async () => {
    await store?.close();
    store = undefined;
    await dropSchema(schema);
  });

  it('catches up before answering a poller that comes from an instance further ahead', { timeout: 30_000 }, async () => {
    schema = randomSchema();
    // polls the table only once an hour, so it learns of rows only from NOTIFY or sync()
    store = await openPgStore({ connectionString: TEST_DATABASE_URL, schema, log: silentLogger, pollMs: 3_600_000 });
    const clock = new ManualClock(T0);
    const service = new CommandService({ store, clock });
    const app = createApp({ store, service, clock, log: silentLogger });
    await service.execute({ type: 'CreateSchedule', tenant: 'acme-roofing', spec: { every: 300 }, runner: 'demo' }, { source: 'api', actor: 'a' });
    const head = store.journal.position;
    expect(head.seq).toBe(1);

    // another instance commits seq 2; its notification never reaches this one
    const event = { seq: 2, id: 'other-instance-2', ts: '2026-11-25T08:00:01.000Z', type: 'schedule.paused', tenant: 'acme-roofing', source: 'api', actor: 'b', data: {} };
    const body = JSON.stringify(event);
    await store.pool.query(
      `INSERT INTO "${schema}".events (seq, id, ts, type, tenant, source, actor, data, hash, body) VALUES (2, $1, $2, $3, $4, $5, $6, '{}'::jsonb, $7, $8)`,
      [event.id, event.ts, event.type, event.tenant, event.source, event.actor, chainHash(head.hash, body), body],
    );
    expect(store.journal.lastSeq).toBe(1);

    // the poller saw seq 2 on the other instance and asks for what follows
    const page = (await (await app.request('http://localhost/api/events?after=2')).json()) as { events: Envelope[]; lastSeq: number };
    expect(page).toEqual({ events: [], lastSeq: 2 });
    const earlier = (await (await app.request('http://localhost/api/events?after=1')).json()) as { events: Envelope[]; lastSeq: number };
    expect(earlier.events.map((e) => [e.seq, e.id])).toEqual([[2, 'other-instance-2']]);
  });
});
