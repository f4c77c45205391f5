import { describe, expect, it } from 'vitest';
import { tenantOffsetMs } from '../../../src/core/domain/timetable.ts';
import { harness, OPERATOR, scriptedRunner } from './harness.ts';
import { FakeTime } from './fake-time.ts';

const START = '2026-11-25T08:00:00.000Z';
const iso = (ms: number) => new Date(ms).toISOString();
const firstDue = (tenant: string, every: number, after = Date.parse(START)) => {
  const period = every * 1000;
  const anchor = Date.parse(START);
  let due = anchor - (anchor % period) + tenantOffsetMs(tenant, every);
  while (due <= after) due += period;
  return due;
};

const setup = async (every: number, runMs: number) => {
  const time = new FakeTime(START);
  const { runner, calls } = scriptedRunner(time, () => ({ ms: runMs }));
  const h = harness({ start: START, time, runner });
  await h.create('acme-roofing', { every });
  await h.scheduler.start();
  return { ...h, calls, due: firstDue('acme-roofing', every) };
};

describe('pause, resume, delete', () => {
  it('stops firing while paused and picks the timetable up again after a resume', async () => {
    const h = await setup(600, 1000);
    await h.time.advanceTo(h.due + 1000);
    await h.service.execute({ type: 'PauseSchedule', tenant: 'acme-roofing' }, OPERATOR);
    await h.time.advance(3 * 600_000);
    expect(await h.events('run.started')).toHaveLength(1);

    const resumedAt = h.time.now();
    await h.service.execute({ type: 'ResumeSchedule', tenant: 'acme-roofing' }, OPERATOR);
    await h.time.advance(600_000);
    const started = await h.events('run.started');
    expect(started.map((e) => e.data.scheduledFor)).toEqual([iso(h.due), iso(firstDue('acme-roofing', 600, resumedAt))]);
    // the paused due times were not missed: nothing was skipped
    expect(await h.events('run.skipped')).toHaveLength(0);
  });

  it('resumes itself at the pause’s until, recorded with source scheduler', async () => {
    const h = await setup(600, 1000);
    const until = Date.parse(START) + 45 * 60_000;
    await h.service.execute({ type: 'PauseSchedule', tenant: 'acme-roofing', reason: 'CRM maintenance', until: iso(until) }, OPERATOR);
    await h.time.advanceTo(until - 1);
    expect(await h.events('schedule.resumed')).toHaveLength(0);
    expect(await h.events('run.started')).toHaveLength(0);

    await h.time.advanceTo(until);
    const resumed = await h.events('schedule.resumed');
    expect(resumed.map((e) => [e.ts, e.source, e.actor])).toEqual([[iso(until), 'scheduler', 'scheduler']]);
    await h.time.advance(600_000);
    expect((await h.events('run.started')).map((e) => e.data.scheduledFor)).toEqual([iso(firstDue('acme-roofing', 600, until))]);
  });

  it('does not resume at an old until after the operator paused again without one', async () => {
    const h = await setup(600, 1000);
    const until = Date.parse(START) + 10 * 60_000;
    await h.service.execute({ type: 'PauseSchedule', tenant: 'acme-roofing', until: iso(until) }, OPERATOR);
    await h.service.execute({ type: 'ResumeSchedule', tenant: 'acme-roofing' }, OPERATOR);
    await h.service.execute({ type: 'PauseSchedule', tenant: 'acme-roofing', reason: 'for good' }, OPERATOR);
    await h.time.advanceTo(until + 3600_000);
    expect((await h.events('schedule.resumed')).map((e) => e.source)).toEqual(['api']);
  });

  it('stops future runs on delete, while the run in flight finishes and is recorded', async () => {
    const h = await setup(600, 30_000);
    await h.time.advanceTo(h.due + 10_000);
    await h.service.execute({ type: 'DeleteSchedule', tenant: 'acme-roofing' }, OPERATOR);
    await h.time.advance(3600_000);
    const started = await h.events('run.started');
    expect(started).toHaveLength(1);
    expect((await h.events('run.succeeded')).map((e) => [e.data.runId, e.ts])).toEqual([[started[0]!.data.runId, iso(h.due + 30_000)]]);
    expect(h.store.projector.recentRuns(10)[0]).toMatchObject({ outcome: 'succeeded', tenant: 'acme-roofing' });
    expect(h.store.projector.schedules.has('acme-roofing')).toBe(false);
  });

  it('leaves a schedule created again under the same name untouched by the old run’s end', async () => {
    const h = await setup(600, 30_000);
    await h.time.advanceTo(h.due + 10_000);
    await h.service.execute({ type: 'DeleteSchedule', tenant: 'acme-roofing' }, OPERATOR);
    await h.create('acme-roofing', { every: 3600 });
    await h.time.advance(25_000);
    expect(await h.events('run.succeeded')).toHaveLength(1);
    expect(h.store.projector.schedules.get('acme-roofing')).toMatchObject({ runCount: 0, spec: { every: 3600 } });
  });

  it('recomputes due times when the interval changes', async () => {
    const h = await setup(600, 1000);
    await h.time.advanceTo(h.due + 1000);
    const changedAt = h.time.now();
    await h.service.execute({ type: 'UpdateSchedule', tenant: 'acme-roofing', spec: { every: 1800 } }, OPERATOR);
    await h.time.advance(3600_000);
    const period = 1800_000;
    let next = changedAt - (changedAt % period) + tenantOffsetMs('acme-roofing', 1800);
    while (next <= changedAt) next += period;
    expect((await h.events('run.started')).map((e) => e.data.scheduledFor)).toEqual([iso(h.due), iso(next), iso(next + period)]);
  });
});

describe('run now and the timetable', () => {
  it('runs once when run now is asked at the very instant a run is due', async () => {
    const h = await setup(600, 5000);
    await h.time.advanceTo(h.due - 1);
    await h.time.advance(1);
    // the due run started at this instant; the manual one is refused
    await expect(h.scheduler.runNow('acme-roofing', OPERATOR)).rejects.toMatchObject({ code: 'conflict' });
    await h.time.advance(60_000);
    expect((await h.events('run.started')).map((e) => e.data.trigger)).toEqual(['scheduled']);
  });

  it('runs once when a manual run is still going as the due time arrives, recording the due time as overlap', async () => {
    const h = await setup(600, 5000);
    await h.time.advanceTo(h.due - 2000);
    await h.scheduler.runNow('acme-roofing', OPERATOR);
    await h.time.advanceTo(h.due + 60_000);
    expect((await h.events('run.started')).map((e) => e.data.trigger)).toEqual(['manual']);
    expect((await h.events('run.skipped')).map((e) => [e.data.reason, e.data.scheduledFor])).toEqual([['overlap', iso(h.due)]]);
  });

  it('runs a manual run on a paused schedule without resuming it', async () => {
    const h = await setup(600, 5000);
    await h.service.execute({ type: 'PauseSchedule', tenant: 'acme-roofing' }, OPERATOR);
    await h.scheduler.runNow('acme-roofing', OPERATOR);
    await h.time.advance(3600_000);
    expect((await h.events('run.started')).map((e) => e.data.trigger)).toEqual(['manual']);
    expect(h.store.projector.schedules.get('acme-roofing')!.paused).toBe(true);
  });
});
