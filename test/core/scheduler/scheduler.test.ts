import { describe, expect, it } from 'vitest';
import { tenantOffsetMs } from '../../../src/core/domain/timetable.ts';
import { harness, OPERATOR, scriptedRunner, succeedAfter } from './harness.ts';
import { FakeTime } from './fake-time.ts';

const START = '2026-11-25T08:00:00.000Z';

// The first due time of `every` seconds for a schedule created at `created`.
const firstDue = (tenant: string, every: number, created: string) => {
  const period = every * 1000;
  const anchor = Date.parse(created);
  let due = anchor - (anchor % period) + tenantOffsetMs(tenant, every);
  while (due <= anchor) due += period;
  return due;
};

describe('scheduler timetable', () => {
  it('fires an interval schedule at anchor + offset + k × every, and a slow run does not shift later ones', async () => {
    const time = new FakeTime(START);
    const { runner } = scriptedRunner(time, succeedAfter(100_000));
    const h = harness({ start: START, time, runner });
    await h.create('acme-roofing', { every: 180 });
    await h.scheduler.start();
    await time.advance(3 * 3600_000);

    const first = firstDue('acme-roofing', 180, START);
    const started = await h.events('run.started');
    expect(started.map((e) => e.data.scheduledFor)).toEqual(
      Array.from({ length: started.length }, (_, k) => new Date(first + k * 180_000).toISOString()),
    );
    expect(started).toHaveLength(Math.floor((Date.parse(START) + 3 * 3600_000 - first) / 180_000) + 1);
    // on a fake clock a run starts exactly at its due time
    expect(started.every((e) => e.ts === e.data.scheduledFor)).toBe(true);
    expect(started.every((e) => e.data.trigger === 'scheduled' && e.source === 'scheduler')).toBe(true);
    expect(await h.events('run.succeeded')).toHaveLength(started.length - (time.now() - Date.parse(started.at(-1)!.ts) < 100_000 ? 1 : 0));
  });

  it('skips a due time that finds the previous run still going, as overlap', async () => {
    const time = new FakeTime(START);
    const { runner } = scriptedRunner(time, succeedAfter(90_000));
    const h = harness({ start: START, time, runner });
    await h.create('slow-co', { every: 60 });
    await h.scheduler.start();
    await time.advance(10 * 60_000);

    const started = await h.events('run.started');
    const skipped = await h.events('run.skipped');
    expect(skipped.length).toBeGreaterThan(0);
    expect(skipped.every((e) => e.data.reason === 'overlap' && e.data.count === 1)).toBe(true);
    // every due time is accounted for once: run or skipped
    const dues = [...started.map((e) => e.data.scheduledFor), ...skipped.map((e) => e.data.scheduledFor)].sort();
    expect(new Set(dues).size).toBe(dues.length);
    expect(dues).toHaveLength(10);
    // a 90 s run every 60 s: run, skip, run, skip …
    expect(started).toHaveLength(5);
  });
});

describe('run now', () => {
  it('starts a manual run at once and answers 409 while it is in progress', async () => {
    const time = new FakeTime(START);
    const { runner, calls } = scriptedRunner(time, succeedAfter(20_000));
    const h = harness({ start: START, time, runner });
    await h.create('acme-roofing', { every: 3600 });
    await h.scheduler.start();

    const { runId } = await h.scheduler.runNow('acme-roofing', OPERATOR);
    const started = await h.events('run.started');
    expect(started).toHaveLength(1);
    expect(started[0]!.data).toMatchObject({ runId, trigger: 'manual', attempt: 1 });
    expect(started[0]).toMatchObject({ source: 'api', actor: 'operator' });
    await expect(h.scheduler.runNow('acme-roofing', OPERATOR)).rejects.toMatchObject({ code: 'conflict' });

    await time.advance(20_000);
    expect(calls).toHaveLength(1);
    expect((await h.events('run.succeeded')).map((e) => e.data.runId)).toEqual([runId]);
    await expect(h.scheduler.runNow('acme-roofing', OPERATOR)).resolves.toMatchObject({ runId: expect.any(String) });
  });

  it('answers not_found for a tenant without a schedule', async () => {
    const time = new FakeTime(START);
    const h = harness({ start: START, time, runner: scriptedRunner(time, succeedAfter(1)).runner });
    await h.scheduler.start();
    await expect(h.scheduler.runNow('nobody', OPERATOR)).rejects.toMatchObject({ code: 'not_found' });
  });
});
