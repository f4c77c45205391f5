import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/core/logger.ts';
import { FakeTime } from './fake-time.ts';
import { failingAppends, harness, OPERATOR, scriptedRunner } from './harness.ts';

const START = '2026-11-25T08:00:00.000Z';

// A journal that cannot record run.started the first `failures` times (the database down).
const setup = async (failures: number) => {
  const time = new FakeTime(START);
  const { store, refused } = failingAppends('run.started', failures, 'append failed: the database is unavailable (connect ECONNREFUSED)');
  const logs: Array<Record<string, unknown>> = [];
  const log = createLogger('debug', (line) => logs.push(JSON.parse(line) as Record<string, unknown>));
  const h = harness({ start: START, time, store, runner: scriptedRunner(time, () => ({ ms: 1_000 })).runner, scheduler: { log } });
  await h.create('acme-roofing', { every: 3600 });
  await h.scheduler.start();
  const due = Date.parse(h.scheduler.state().nextDueAt!);
  return { ...h, time, due, logs, refused };
};

describe('a run whose start the journal cannot record', () => {
  it('starts that due time after a short backoff once the journal is back, instead of losing it', async () => {
    const h = await setup(3);
    // refused at due, due + 1 s and due + 3 s; recorded at due + 7 s
    await h.time.advanceTo(h.due + 6_999);
    expect(await h.events('run.started')).toHaveLength(0);
    await h.time.advanceTo(h.due + 7_000);
    const started = await h.events('run.started');
    expect(started.map((e) => [e.ts, e.data.trigger, e.data.scheduledFor, e.data.attempt])).toEqual([
      [new Date(h.due + 7_000).toISOString(), 'scheduled', new Date(h.due).toISOString(), 1],
    ]);
    expect(h.refused()).toBe(3);
    await h.time.advanceTo(h.due + 10_000);
    expect(await h.events('run.succeeded')).toHaveLength(1);
    expect(h.logs.filter((l) => l.msg === 'run could not start: the journal is unavailable; trying again').map((l) => l.inMs)).toEqual([1_000, 2_000, 4_000]);
    // the timetable goes on as before
    await h.time.advanceTo(h.due + 3600_000 + 1);
    expect(await h.events('run.started')).toHaveLength(2);
    expect(await h.events('run.skipped')).toHaveLength(0);
  });

  it('gives the due time up after five retries, says so, and starts the next one normally', async () => {
    const h = await setup(6);
    await h.time.advanceTo(h.due + 3600_000 - 1);
    expect(await h.events('run.started')).toHaveLength(0);
    expect(h.refused()).toBe(6);
    expect(h.logs.find((l) => l.msg === 'run could not start: the journal stayed unavailable; this due time is given up')).toMatchObject({
      tenant: 'acme-roofing',
      scheduledFor: new Date(h.due).toISOString(),
      failures: 6,
    });
    await h.time.advanceTo(h.due + 3600_000);
    expect((await h.events('run.started')).map((e) => e.data.scheduledFor)).toEqual([new Date(h.due + 3600_000).toISOString()]);
  });

  it('does not retry a manual run behind the back of the caller it already failed', async () => {
    const h = await setup(1);
    await expect(h.scheduler.runNow('acme-roofing', OPERATOR)).rejects.toMatchObject({ code: 'unavailable' });
    await h.time.advanceTo(h.due - 1);
    expect(await h.events('run.started')).toHaveLength(0);
    expect(h.logs.some((l) => l.msg === 'run could not start: the journal is unavailable; trying again')).toBe(false);
  });
});
