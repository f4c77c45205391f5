import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../../src/core/logger.ts';
import { openFileStore } from '../../../src/core/store/file-store.ts';
import { openMemoryStore } from '../../../src/core/store/memory-store.ts';
import { tenantOffsetMs } from '../../../src/core/domain/timetable.ts';
import { harness, OPERATOR, scriptedRunner } from './harness.ts';
import { FakeTime } from './fake-time.ts';

const START = '2026-11-25T08:00:00.000Z';
const HOUR = 3600_000;
const iso = (ms: number) => new Date(ms).toISOString();
// due times of an `every` schedule created at START, in (after, until]
const dues = (tenant: string, every: number, after: number, until: number) => {
  const period = every * 1000;
  const anchor = Date.parse(START);
  const out: number[] = [];
  for (let d = anchor - (anchor % period) + tenantOffsetMs(tenant, every); d <= until; d += period) if (d > after) out.push(d);
  return out;
};

// Runs a first scheduler for an hour, stops it, and leaves the store as a restart finds it.
const firstLife = async (time: FakeTime, store = openMemoryStore(), policy = {}) => {
  const { runner } = scriptedRunner(time, () => ({ ms: 1000 }));
  const h = harness({ start: START, time, store, runner });
  await h.create('acme-roofing', { every: 600 }, policy);
  await h.scheduler.start();
  await time.advance(HOUR);
  await h.scheduler.stop(0);
  return { store, stoppedAt: time.now(), ran: (await h.events('run.started')).length };
};

describe('restart after downtime', () => {
  it('runs one catchup for the latest missed due time and records the rest as one skipped event', async () => {
    const time = new FakeTime(START);
    const { store, stoppedAt, ran } = await firstLife(time);
    await time.advance(10 * HOUR);
    const { runner } = scriptedRunner(time, () => ({ ms: 1000 }));
    const h = harness({ start: START, time, store, runner });
    await h.scheduler.start();
    await time.advance(0);

    const missed = dues('acme-roofing', 600, stoppedAt, time.now());
    expect(missed).toHaveLength(60);
    const skipped = await h.events('run.skipped');
    expect(skipped.map((e) => e.data)).toEqual([
      { scheduledFor: iso(missed[0]!), reason: 'missed', count: 59, through: iso(missed[58]!) },
    ]);
    const started = (await h.events('run.started')).slice(ran);
    expect(started.map((e) => [e.data.trigger, e.data.scheduledFor, e.ts])).toEqual([['catchup', iso(missed[59]!), iso(time.now())]]);

    // then back on the timetable
    await time.advance(600_000);
    const next = (await h.events('run.started')).slice(ran + 1);
    expect(next.map((e) => [e.data.trigger, e.data.scheduledFor])).toEqual([['scheduled', iso(missed[59]! + 600_000)]]);
  });

  it('skips every missed due time, catching none up, when the latest is older than the catch-up window', async () => {
    const time = new FakeTime(START);
    const { store, stoppedAt, ran } = await firstLife(time, openMemoryStore(), { catchupSeconds: 60 });
    await time.advance(5 * HOUR);
    const missed = dues('acme-roofing', 600, stoppedAt, time.now());
    // make sure the latest missed one is more than 60 s old
    if (time.now() - missed.at(-1)! <= 60_000) await time.advance(61_000);
    const { runner } = scriptedRunner(time, () => ({ ms: 1000 }));
    const h = harness({ start: START, time, store, runner });
    await h.scheduler.start();
    await time.advance(0);

    const all = dues('acme-roofing', 600, stoppedAt, time.now());
    expect((await h.events('run.skipped')).map((e) => e.data)).toEqual([
      { scheduledFor: iso(all[0]!), reason: 'missed', count: all.length, through: iso(all.at(-1)!) },
    ]);
    expect(await h.events('run.started')).toHaveLength(ran);
  });

  it('records a run the previous process started and never finished as failed: interrupted by restart', async () => {
    const time = new FakeTime(START);
    const store = openMemoryStore();
    const { runner } = scriptedRunner(time, () => ({ ms: 0, hang: true }));
    const first = harness({ start: START, time, store, runner });
    await first.create('acme-roofing', { every: 600 });
    await first.scheduler.start();
    const { runId } = await first.scheduler.runNow('acme-roofing', OPERATOR);
    await time.advance(30_000);
    // the process dies here: no stop, nothing more recorded; a new one starts a minute later
    await time.advance(60_000);
    const second = harness({ start: START, time, store, runner: scriptedRunner(time, () => ({ ms: 1000 })).runner });
    await second.scheduler.start();

    const failed = await second.events('run.failed');
    expect(failed.map((e) => e.data)).toEqual([
      { runId, durationMs: 90_000, error: 'interrupted by restart', errorClass: 'internal', attempt: 1, willRetry: false },
    ]);
    expect(failed[0]).toMatchObject({ source: 'scheduler' });
    expect(store.projector.schedules.get('acme-roofing')!.running).toBeUndefined();
  });

  it('resumes a schedule whose pause ended during the downtime, without counting the paused time as missed', async () => {
    const time = new FakeTime(START);
    const { store, ran } = await firstLife(time);
    await firstPause(store, time, iso(time.now() + 2 * HOUR));
    await time.advance(10 * HOUR);
    const h = harness({ start: START, time, store, runner: scriptedRunner(time, () => ({ ms: 1000 })).runner });
    await h.scheduler.start();
    await time.advance(0);

    const resumed = await h.events('schedule.resumed');
    expect(resumed.map((e) => [e.source, e.actor, e.ts])).toEqual([['scheduler', 'scheduler', iso(time.now())]]);
    expect(await h.events('run.skipped')).toHaveLength(0);
    expect(await h.events('run.started')).toHaveLength(ran);
  });
});

const firstPause = async (store: ReturnType<typeof openMemoryStore>, time: FakeTime, until: string) => {
  const h = harness({ start: START, time, store, runner: scriptedRunner(time, () => ({ ms: 1 })).runner });
  await h.service.execute({ type: 'PauseSchedule', tenant: 'acme-roofing', reason: 'maintenance', until }, OPERATOR);
};

describe('restart on the file store', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('finds what it missed from the journal and snapshot alone', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-sched-'));
    dirs.push(dir);
    const time = new FakeTime(START);
    // first life: one scheduled run, recorded the way the scheduler records it
    const first = await openFileStore({ dataDir: dir, log: silentLogger });
    const h1 = harness({ start: START, time, store: first, runner: scriptedRunner(time, () => ({ ms: 1 })).runner });
    await h1.create('acme-roofing', { every: 600 });
    const due = dues('acme-roofing', 600, Date.parse(START), Date.parse(START) + 600_000)[0]!;
    await time.advanceTo(due);
    await h1.service.execute({ type: 'StartRun', tenant: 'acme-roofing', runId: 'r1', trigger: 'scheduled', scheduledFor: iso(due), attempt: 1 }, OPERATOR);
    await time.advance(1000);
    await h1.service.execute({ type: 'FinishRun', tenant: 'acme-roofing', runId: 'r1', durationMs: 1000, outcome: { status: 'succeeded' } }, OPERATOR);
    await first.close();

    await time.advance(3 * HOUR);
    const second = await openFileStore({ dataDir: dir, log: silentLogger });
    try {
      const h2 = harness({ start: START, time, store: second, runner: scriptedRunner(time, () => ({ ms: 1000 })).runner });
      await h2.scheduler.start();
      await time.advance(0);
      const missed = dues('acme-roofing', 600, due, time.now());
      expect(missed).toHaveLength(18);
      // the file journal commits on real I/O, which the fake clock does not wait for
      await vi.waitFor(async () => expect(await h2.events('run.started')).toHaveLength(2));
      expect((await h2.events('run.skipped')).map((e) => [e.data.count, e.data.scheduledFor])).toEqual([[17, iso(missed[0]!)]]);
      const started = await h2.events('run.started');
      expect(started.map((e) => [e.data.trigger, e.data.scheduledFor])).toEqual([
        ['scheduled', iso(due)],
        ['catchup', iso(missed.at(-1)!)],
      ]);
      await h2.scheduler.stop(0);
    } finally {
      await second.close();
    }
  });
});
