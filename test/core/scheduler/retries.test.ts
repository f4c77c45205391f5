import { describe, expect, it } from 'vitest';
import { tenantOffsetMs } from '../../../src/core/domain/timetable.ts';
import { fail, harness, OPERATOR, scriptedRunner, type Script } from './harness.ts';
import { FakeTime } from './fake-time.ts';

const START = '2026-11-25T08:00:00.000Z';
const iso = (ms: number) => new Date(ms).toISOString();
const firstDue = (tenant: string, every: number) => {
  const period = every * 1000;
  const anchor = Date.parse(START);
  let due = anchor - (anchor % period) + tenantOffsetMs(tenant, every);
  while (due <= anchor) due += period;
  return due;
};

const setup = async (tenant: string, every: number, script: (attempt: number, n: number) => Script, policy = {}) => {
  const time = new FakeTime(START);
  let n = 0;
  const { runner, calls } = scriptedRunner(time, (req) => script(req.attempt, ++n));
  const h = harness({ start: START, time, runner });
  await h.create(tenant, { every }, policy);
  await h.scheduler.start();
  return { ...h, calls, due: firstDue(tenant, every) };
};

describe('retries', () => {
  it('retries a failed run with exponential backoff, each attempt its own started/failed pair', async () => {
    const h = await setup('retry-co', 3600, (attempt) =>
      attempt === 1 ? { ms: 5000, fail: fail('remote') } : attempt === 2 ? { ms: 5000, fail: fail('network') } : { ms: 5000 },
    );
    await h.time.advanceTo(h.due + 200_000);
    const started = await h.events('run.started');
    const failed = await h.events('run.failed');
    const D = h.due;
    expect(started.map((e) => [e.ts, e.data.trigger, e.data.attempt, e.data.scheduledFor])).toEqual([
      [iso(D), 'scheduled', 1, iso(D)],
      [iso(D + 35_000), 'retry', 2, iso(D)],
      [iso(D + 100_000), 'retry', 3, iso(D)],
    ]);
    expect(new Set(started.map((e) => e.data.runId)).size).toBe(3);
    expect(failed.map((e) => [e.ts, e.data.errorClass, e.data.attempt, e.data.willRetry, e.data.retryAt])).toEqual([
      [iso(D + 5000), 'remote', 1, true, iso(D + 35_000)],
      [iso(D + 40_000), 'network', 2, true, iso(D + 100_000)],
    ]);
    const succeeded = await h.events('run.succeeded');
    expect(succeeded.map((e) => [e.ts, e.data.runId])).toEqual([[iso(D + 105_000), started[2]!.data.runId]]);
  });

  it('stops after maxAttempts and records the last failure without a retry', async () => {
    const h = await setup('always-down', 3600, () => ({ ms: 1000, fail: fail('remote') }), { maxAttempts: 2 });
    await h.time.advanceTo(h.due + 600_000);
    const failed = await h.events('run.failed');
    expect(failed.map((e) => [e.data.attempt, e.data.willRetry])).toEqual([
      [1, true],
      [2, false],
    ]);
    expect(h.store.projector.schedules.get('always-down')).toMatchObject({ consecutiveFailures: 2, lastRun: { outcome: 'failed', willRetry: false } });
  });

  it('leaves the work to the next scheduled run when a retry would land at or after it', async () => {
    const h = await setup('minutely', 60, () => ({ ms: 5000, fail: fail('remote') }));
    await h.time.advanceTo(h.due + 59_000);
    const failed = await h.events('run.failed');
    // attempt 1 fails at D+5 s, retry at D+35 s (before D+60 s); attempt 2 fails at D+40 s, and its
    // retry would be at D+100 s, after the next due time
    expect(failed.map((e) => [e.data.attempt, e.data.willRetry])).toEqual([
      [1, true],
      [2, false],
    ]);
  });

  it('fails a run that does not answer within its timeout as timeout, aborting the runner', async () => {
    const h = await setup('hangs', 3600, (attempt) => (attempt === 1 ? { ms: 0, hang: true } : { ms: 1000 }), { timeoutSeconds: 10 });
    await h.time.advanceTo(h.due + 60_000);
    const failed = await h.events('run.failed');
    expect(failed.map((e) => [e.ts, e.data.errorClass, e.data.error, e.data.retryAt])).toEqual([
      [iso(h.due + 10_000), 'timeout', 'no answer within 10 s', iso(h.due + 40_000)],
    ]);
    expect(h.calls[0]!.req.signal.aborted).toBe(true);
    expect(await h.events('run.succeeded')).toHaveLength(1);
  });

  it('honours Retry-After on rate-limit, for the retry and for the runs of that tenant', async () => {
    // Retry-After 900 s is past the next due time (600 s): no retry, and the next due run
    // waits until the rate limit has passed instead of hitting it again.
    const h = await setup('busy-crm', 600, (_attempt, n) => (n === 1 ? { ms: 5000, fail: fail('rate-limit', '429', 900_000) } : { ms: 1000 }));
    await h.time.advanceTo(h.due + 1300_000);
    const D = h.due;
    const failed = await h.events('run.failed');
    expect(failed.map((e) => [e.data.errorClass, e.data.willRetry])).toEqual([['rate-limit', false]]);
    const started = await h.events('run.started');
    expect(started.map((e) => [e.ts, e.data.scheduledFor, e.data.trigger])).toEqual([
      [iso(D), iso(D), 'scheduled'],
      [iso(D + 905_000), iso(D + 600_000), 'scheduled'],
      [iso(D + 1200_000), iso(D + 1200_000), 'scheduled'],
    ]);
  });

  it('keeps a Retry-After across a restart: the journal records it, the next process waits for it', async () => {
    // Retry-After 900 s on a 600 s schedule; the process restarts 60 s after the failure.
    // Without the recorded notBefore the new process would call the CRM at D+600 s, again too early.
    const h = await setup('busy-crm', 600, () => ({ ms: 5000, fail: fail('rate-limit', '429', 900_000) }));
    const D = h.due;
    await h.time.advanceTo(D + 65_000);
    await h.scheduler.stop(0);
    const failed = await h.events('run.failed');
    expect(failed.map((e) => [e.data.errorClass, e.data.notBefore])).toEqual([['rate-limit', iso(D + 905_000)]]);
    expect(h.store.projector.schedules.get('busy-crm')?.lastRun?.notBefore).toBe(iso(D + 905_000));

    const { runner } = scriptedRunner(h.time, () => ({ ms: 1000 }));
    const again = harness({ start: START, time: h.time, store: h.store, runner });
    await again.scheduler.start();
    await h.time.advanceTo(D + 1000_000);
    const started = await h.events('run.started');
    expect(started.map((e) => [e.ts, e.data.scheduledFor])).toEqual([
      [iso(D), iso(D)],
      [iso(D + 905_000), iso(D + 600_000)],
    ]);
  });

  it('waits max(backoff, Retry-After) before retrying a rate-limited run', async () => {
    const h = await setup('slow-down', 3600, (attempt) => (attempt === 1 ? { ms: 5000, fail: fail('rate-limit', '429', 120_000) } : { ms: 1000 }));
    await h.time.advanceTo(h.due + 600_000);
    const started = await h.events('run.started');
    expect(started.map((e) => [e.ts, e.data.trigger])).toEqual([
      [iso(h.due), 'scheduled'],
      [iso(h.due + 125_000), 'retry'],
    ]);
  });
});

describe('auth failures', () => {
  it('pauses the schedule itself after 3 consecutive auth failures, without retrying them', async () => {
    const h = await setup('bad-key', 600, () => ({ ms: 2000, fail: fail('auth', 'API key refused') }));
    await h.time.advanceTo(h.due + 5 * 600_000);
    const failed = await h.events('run.failed');
    expect(failed.map((e) => [e.data.errorClass, e.data.willRetry])).toEqual([
      ['auth', false],
      ['auth', false],
      ['auth', false],
    ]);
    const paused = await h.events('schedule.paused');
    expect(paused).toHaveLength(1);
    expect(paused[0]).toMatchObject({ source: 'scheduler', actor: 'scheduler', ts: iso(h.due + 1200_000 + 2000) });
    expect(paused[0]!.data.reason).toBe('credentials refused 3 times in a row: API key refused');
    expect(await h.events('run.started')).toHaveLength(3);

    // the operator fixes the key and resumes: the streak starts over
    await h.service.execute({ type: 'ResumeSchedule', tenant: 'bad-key' }, OPERATOR);
    expect(h.store.projector.schedules.get('bad-key')).toMatchObject({ paused: false, consecutiveAuthFailures: 0 });
    await h.time.advance(600_000);
    expect(await h.events('run.started')).toHaveLength(4);
  });

  it('does not pause when an auth failure is followed by another kind of result', async () => {
    const h = await setup('flaky-key', 600, (_a, n) => (n % 3 === 0 ? { ms: 1000 } : { ms: 1000, fail: fail('auth') }));
    await h.time.advanceTo(h.due + 12 * 600_000);
    expect(await h.events('schedule.paused')).toHaveLength(0);
  });
});
