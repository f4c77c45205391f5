import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/core/clock.ts';
import { DomainError } from '../../../src/core/domain/errors.ts';
import { evolve, initialState } from '../../../src/core/domain/projection.ts';
import { JournalError } from '../../../src/core/journal/journal.ts';
import { createLogger, type Logger, silentLogger } from '../../../src/core/logger.ts';
import { migrate } from '../../../src/core/pg/migrations.ts';
import { PgJournal } from '../../../src/core/pg/pg-journal.ts';
import { pgNames } from '../../../src/core/pg/pg-names.ts';
import { createPgPool } from '../../../src/core/pg/pg-pool.ts';
import { openPgStore, type PgStore } from '../../../src/core/pg/pg-store.ts';
import { Projector } from '../../../src/core/projections/projector.ts';
import { CommandService } from '../../../src/core/service.ts';
import { SseHub } from '../../../src/http/sse-hub.ts';
import { sseRoutes } from '../../../src/http/sse-routes.ts';
import type { Store } from '../../../src/core/store/store.ts';
import { collector, draft, range, seqs, T0 } from '../journal/drafts.ts';
import { dropSchema, holdsDatabase, pgReachable, randomSchema, TEST_DATABASE_URL } from './pg-test-db.ts';
import { startTcpProxy } from './tcp-proxy.ts';

const reachable = await pgReachable();
if (reachable) holdsDatabase({ beforeAll, afterAll });

const capture = () => {
  const lines: Array<Record<string, unknown>> = [];
  const log: Logger = createLogger('debug', (l) => void lines.push(JSON.parse(l) as Record<string, unknown>));
  return { log, lines };
};

const create = (tenant: string) => ({ type: 'CreateSchedule' as const, tenant, spec: { every: 60 }, runner: 'demo' as const });
const origin = { source: 'api' as const, actor: 'operator' };

describe.skipIf(!reachable)('PostgreSQL store', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  const schemaForTest = () => {
    const schema = randomSchema();
    cleanups.push(() => dropSchema(schema));
    return schema;
  };

  const open = async (schema: string, options: { log?: Logger; connectionString?: string; pollMs?: number } = {}) => {
    const store = await openPgStore({
      connectionString: options.connectionString ?? TEST_DATABASE_URL,
      schema,
      log: options.log ?? silentLogger,
      poolMax: 3,
      pollMs: options.pollMs,
      lease: { ttlMs: 1_000, renewMs: 100 },
    });
    cleanups.push(() => store.close());
    return store;
  };

  // An instance that hears of nothing by itself: no notifications, no poll to speak of.
  const deafJournal = async (schema: string) => {
    const proxy = await startTcpProxy({ host: '127.0.0.1', port: 5432 });
    proxy.cut();
    const pool = createPgPool({ connectionString: TEST_DATABASE_URL, log: silentLogger, max: 2 });
    const journal = await PgJournal.open({ pool, names: pgNames(schema), connectionString: proxy.url(), log: silentLogger, pollMs: 600_000 });
    cleanups.push(async () => {
      await journal.close();
      await pool.end();
      await proxy.close();
    });
    return journal;
  };

  const service = (store: PgStore) => new CommandService({ store, clock: new ManualClock(T0) });

  it('creates and migrates its schema on start, and a second start applies nothing', async () => {
    const schema = schemaForTest();
    const first = capture();
    const store = await open(schema, { log: first.log });
    expect(first.lines.find((l) => l.msg === 'postgres schema migrated')?.applied).toEqual([1, 2, 3]);
    const { rows } = await store.pool.query(`SELECT version FROM "${schema}".migrations ORDER BY version`);
    expect(rows.map((r) => r.version)).toEqual([1, 2, 3]);
    expect(await migrate(store.pool, pgNames(schema))).toEqual({ applied: [], version: 3 });
  });

  it('publishes events appended on another instance to local subscribers, in seq order', async () => {
    const schema = schemaForTest();
    const a = await open(schema);
    const b = await open(schema);
    const seen = collector();
    b.journal.subscribe(0, seen.listener);
    await service(a).execute(create('acme-roofing'), origin);
    await a.journal.append(range(1, 50).map(() => draft('acme-roofing')));
    await seen.until(51);
    expect(seqs(seen.seen)).toEqual(range(1, 51));
    expect(b.projector.schedules.get('acme-roofing')?.paused).toBe(true);
    expect(b.journal.lastSeq).toBe(51);
  });

  it('rebuilds the projections from the newest snapshot and replays only the events after it', async () => {
    const schema = schemaForTest();
    const a = await open(schema);
    await service(a).execute(create('acme-roofing'), origin);
    await service(a).execute(create('beta-roofing'), origin);
    await a.snapshot();
    await service(a).execute({ type: 'PauseSchedule', tenant: 'beta-roofing', reason: 'CRM maintenance' }, origin);
    const all = await a.journal.read({ after: 0, limit: 100 });
    const { log, lines } = capture();
    const b = await open(schema, { log });
    expect(lines.find((l) => l.msg === 'journal opened')).toMatchObject({ seq: 3, snapshot: 2, replayed: 1 });
    expect(b.projector.toState()).toEqual(all.reduce(evolve, initialState()));
  });

  it('replays everything when the snapshot no longer matches the events table', async () => {
    const schema = schemaForTest();
    const a = await open(schema);
    await service(a).execute(create('acme-roofing'), origin);
    await a.snapshot();
    await a.pool.query(`UPDATE "${schema}".snapshots SET hash = repeat('f', 64)`);
    const { log, lines } = capture();
    const b = await open(schema, { log });
    expect(lines.find((l) => l.msg === 'journal opened')).toMatchObject({ snapshot: 'none', replayed: 1 });
    expect(lines.some((l) => l.msg === 'snapshot does not match the events table; ignoring it')).toBe(true);
    expect(b.projector.schedules.has('acme-roofing')).toBe(true);
  });

  it('refuses to start when an event row was edited, naming the seq', async () => {
    const schema = schemaForTest();
    const a = await open(schema);
    await a.journal.append([draft('a'), draft('b'), draft('c')]);
    await a.pool.query(`UPDATE "${schema}".events SET body = replace(body, '"b"', '"x"') WHERE seq = 2`);
    await expect(open(schema)).rejects.toThrow(/corrupt at seq 2/);
  });

  it('lets only one of two instances create the same tenant at once', async () => {
    const schema = schemaForTest();
    const a = await open(schema);
    const b = await open(schema);
    const outcomes = await Promise.allSettled([service(a).execute(create('acme-roofing'), origin), service(b).execute(create('acme-roofing'), origin)]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
    const refused = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toBeInstanceOf(DomainError);
    expect((refused.reason as DomainError).code).toBe('conflict');
    await a.journal.sync();
    expect(await a.journal.read({ after: 0, limit: 10, type: 'schedule.created' })).toHaveLength(1);
  });

  it('starts a due time once, whichever instance tries, and refuses the other with a conflict', async () => {
    const schema = schemaForTest();
    const a = await open(schema);
    const b = await open(schema);
    await service(a).execute(create('acme-roofing'), origin);
    await b.journal.sync();
    const start = (runId: string) =>
      ({ type: 'StartRun', tenant: 'acme-roofing', runId, trigger: 'scheduled', scheduledFor: '2026-11-25T08:01:00.000Z', attempt: 1 }) as const;
    const outcomes = await Promise.allSettled([
      service(a).execute(start('run-a'), { source: 'scheduler', actor: 'scheduler' }),
      service(b).execute(start('run-b'), { source: 'scheduler', actor: 'scheduler' }),
    ]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    const refused = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
    expect((refused.reason as DomainError).code).toBe('conflict');
    // a catch-up for the same due time counts as the same run
    await b.journal.sync();
    const catchup = { ...start('run-c'), trigger: 'catchup' as const };
    await expect(b.journal.append([{ ...draft('acme-roofing'), type: 'run.started', data: catchup } as never])).rejects.toThrow(/already started/);
    // B may have won: A reads only what it has published, so let it catch up first
    await a.journal.sync();
    expect(await a.journal.read({ after: 0, limit: 10, type: 'run.started' })).toHaveLength(1);
  });

  it('waits for events another instance committed before deciding, after sync()', async () => {
    const schema = schemaForTest();
    const a = await open(schema, { pollMs: 60_000 });
    const b = await open(schema, { pollMs: 60_000 });
    await service(a).execute(create('acme-roofing'), origin);
    await b.journal.sync();
    expect(b.projector.schedules.has('acme-roofing')).toBe(true);
  });

  it('decides on a change made through another instance a moment ago, even before hearing of it', async () => {
    const schema = schemaForTest();
    const a = await open(schema);
    const journal = await deafJournal(schema);
    const projector = new Projector();
    const subscription = journal.subscribe(0, (events) => events.forEach((e) => projector.apply(e)));
    cleanups.push(async () => subscription.close());
    const b: Store = { kind: 'postgres', journal, projector, snapshot: async () => {}, close: async () => {} };
    await service(a).execute(create('acme-roofing'), origin);
    expect(b.projector.schedules.has('acme-roofing')).toBe(false);
    const paused = await new CommandService({ store: b, clock: new ManualClock(T0) }).execute(
      { type: 'PauseSchedule', tenant: 'acme-roofing', reason: 'CRM maintenance' },
      origin,
    );
    expect(paused.events.map((e) => `${e.seq} ${e.type}`)).toEqual(['2 schedule.paused']);
  });

  it('resumes a stream from a seq written through another instance instead of telling the client to reset', async () => {
    const schema = schemaForTest();
    const a = await open(schema);
    const journal = await deafJournal(schema);
    await service(a).execute(create('acme-roofing'), origin);
    await service(a).execute({ type: 'PauseSchedule', tenant: 'acme-roofing' }, origin);
    expect(journal.lastSeq).toBe(0);
    const hub = new SseHub(journal);
    // the browser saw seq 1 on A; its stream reconnects here
    const response = await sseRoutes(hub).request('/stream', { headers: { 'last-event-id': '1' } });
    const reader = response.body!.getReader();
    let text = '';
    while (!/id: 2\n[^]*?\n\n/.test(text) && !text.includes('event: reset')) text += new TextDecoder().decode((await reader.read()).value);
    hub.closeAll();
    expect(text).not.toContain('event: reset');
    expect(text).toContain('id: 2\nevent: schedule.paused\n');
    expect(text).not.toContain('id: 1\n');
  });

  it('delivers another instance\'s events by the slow poll when notifications never arrive', async () => {
    const schema = schemaForTest();
    const a = await open(schema);
    const proxy = await startTcpProxy({ host: '127.0.0.1', port: 5432 });
    proxy.cut();
    const pool = createPgPool({ connectionString: TEST_DATABASE_URL, log: silentLogger, max: 2 });
    // LISTEN goes through a proxy that refuses every connection: only the poll remains
    const deaf = await PgJournal.open({ pool, names: pgNames(schema), connectionString: proxy.url(), log: silentLogger, pollMs: 50 });
    cleanups.push(async () => {
      await deaf.close();
      await pool.end();
      await proxy.close();
    });
    const seen = collector();
    deaf.subscribe(0, seen.listener);
    await a.journal.append(range(1, 3).map(() => draft()));
    await seen.until(3);
    expect(seqs(seen.seen)).toEqual([1, 2, 3]);
  });

  it('fails appends fast with "unavailable" while the database is unreachable, then recovers by itself', async () => {
    const schema = schemaForTest();
    await open(schema);
    const proxy = await startTcpProxy({ host: '127.0.0.1', port: 5432 });
    cleanups.push(() => proxy.close());
    const store = await open(schema, { connectionString: proxy.url() });
    const acknowledged = await store.journal.append([draft('before')]);
    proxy.cut();
    const failure = await store.journal.append([draft('during')]).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(JournalError);
    expect((failure as JournalError).code).toBe('unavailable');
    proxy.restore();
    const after = await store.journal.append([draft('after')]);
    expect(after[0]!.seq).toBe(2);
    const all = await store.journal.read({ after: 0, limit: 10 });
    expect(all.map((e) => e.tenant)).toEqual(['before', 'after']);
    expect(all[0]).toEqual(acknowledged[0]);
  });

  it('agrees on one shared secret when instances create it at the same time', async () => {
    const schema = schemaForTest();
    const stores = await Promise.all([open(schema), open(schema), open(schema)]);
    const values = await Promise.all(stores.map((s, i) => s.secrets.getOrCreate('session-key', () => `key-from-${i}`)));
    expect(new Set(values).size).toBe(1);
    await stores[0]!.secrets.set('session-key', 'rotated');
    expect(await stores[2]!.secrets.get('session-key')).toBe('rotated');
    expect(await stores[1]!.secrets.get('no-such-key')).toBeUndefined();
  });
});

if (!reachable) {
  describe('PostgreSQL store', () => {
    it.skip('needs PostgreSQL (see the warning above)', () => {});
  });
}
