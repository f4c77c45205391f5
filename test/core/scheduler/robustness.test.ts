import { describe, expect, it } from 'vitest';
import type { Runner } from '../../../src/core/runners/runner.ts';
import { openMemoryStore } from '../../../src/core/store/memory-store.ts';
import { delay } from '../../../src/core/timers.ts';
import { failingAppends, harness, OPERATOR, scriptedRunner } from './harness.ts';
import { FakeTime } from './fake-time.ts';

const START = '2026-11-25T08:00:00.000Z';

const withRunner = async (make: (time: FakeTime) => Runner, policy = {}, others = ['other-co']) => {
  const time = new FakeTime(START);
  const h = harness({ start: START, time, runner: make(time) });
  await h.create('acme-roofing', { every: 3600 }, policy);
  for (const tenant of others) await h.create(tenant, { every: 3600 }, policy);
  await h.scheduler.start();
  return h;
};

describe('a misbehaving runner', () => {
  const cases: [string, (time: FakeTime) => Runner, string][] = [
    [
      'throws',
      () => ({ name: 'demo', run: async () => { throw new TypeError('cannot read properties of undefined'); } }),
      'the runner failed: cannot read properties of undefined',
    ],
    [
      'throws synchronously',
      () => ({ name: 'demo', run: () => { throw new Error('boom'); } }),
      'the runner failed: boom',
    ],
    [
      'returns garbage',
      () => ({ name: 'demo', run: async () => 'done!' as never }),
      'the runner returned a result that is not { imported?, watermark? } (or is too large)',
    ],
    [
      'returns a negative count',
      () => ({ name: 'demo', run: async () => ({ imported: -3 }) }),
      'the runner returned a result that is not { imported?, watermark? } (or is too large)',
    ],
    [
      'rejects with a non-error',
      () => ({ name: 'demo', run: () => Promise.reject('nope') }),
      'the runner failed: nope',
    ],
  ];

  for (const [what, make, error] of cases) {
    it(`fails the run as internal when it ${what}, and the scheduler keeps going`, async () => {
      const h = await withRunner(make, { maxAttempts: 1 });
      await h.time.advance(3 * 3600_000);
      const failed = await h.events('run.failed', 'acme-roofing');
      expect(failed).toHaveLength(3);
      expect(failed.every((e) => e.data.errorClass === 'internal' && e.data.error === error)).toBe(true);
      expect(h.scheduler.state()).toMatchObject({ state: 'running', inFlight: 0 });
      expect(await h.events('run.started', 'other-co')).toHaveLength(3);
      expect(await h.events('run.failed', 'other-co')).toHaveLength(3);
    });
  }

  it('fails a run that hangs and ignores its abort signal as timeout, freeing its slot', async () => {
    const h = await withRunner(() => ({ name: 'demo', run: () => new Promise(() => {}) }), { timeoutSeconds: 60, maxAttempts: 1 }, []);
    const due = Date.parse(h.scheduler.state().nextDueAt!);
    await h.time.advanceTo(due + 3600_000 + 30_000);
    expect(h.scheduler.state().inFlight).toBe(1);
    await h.time.advanceTo(due + 3600_000 + 60_000);
    expect((await h.events('run.failed', 'acme-roofing')).map((e) => e.data.errorClass)).toEqual(['timeout', 'timeout']);
    expect(h.scheduler.state().inFlight).toBe(0);
  });

  it('fails a run whose schedule names a runner this server does not have', async () => {
    const time = new FakeTime(START);
    const h = harness({ start: START, time, runner: scriptedRunner(time, () => ({ ms: 1 })).runner, scheduler: {} });
    const bare = harness({ start: START, time, store: h.store, runner: undefined as never, scheduler: { runners: {} } });
    await h.create('acme-roofing', { every: 3600 }, { maxAttempts: 1 });
    await bare.scheduler.start();
    await time.advance(3600_000);
    expect((await h.events('run.failed')).map((e) => [e.data.errorClass, e.data.error])).toEqual([
      ['internal', 'runner "demo" is not configured on this server'],
    ]);
  });
});

describe('scheduler state', () => {
  it('reports running, the last tick, the next due time, lag and runs in flight', async () => {
    const time = new FakeTime(START);
    const h = harness({
      start: START,
      time,
      runner: { name: 'demo', run: async (req) => (await delay(time, 10_000, req.signal), {}) },
    });
    expect(h.scheduler.state()).toMatchObject({ state: 'stopped', lastTickAt: null, inFlight: 0 });
    await h.create('acme-roofing', { every: 60 });
    await h.scheduler.start();
    const next = h.scheduler.state().nextDueAt!;
    expect(Date.parse(next)).toBeGreaterThan(time.now());
    await time.advanceTo(next);
    expect(h.scheduler.state()).toMatchObject({ state: 'running', lastTickAt: next, lagMs: 0, inFlight: 1 });
    await time.advance(10_000);
    expect(h.scheduler.state().inFlight).toBe(0);
    await h.scheduler.stop(0);
    expect(h.scheduler.state().state).toBe('stopped');
    await expect(h.scheduler.runNow('acme-roofing', OPERATOR)).rejects.toMatchObject({ code: 'unavailable' });
  });

  it('ticks at least every heartbeat while nothing is due, so its last tick proves it alive', async () => {
    const time = new FakeTime(START);
    const h = harness({ start: START, time, runner: scriptedRunner(time, () => ({ ms: 1 })).runner, scheduler: { heartbeatMs: 30_000 } });
    await h.create('weekly', { every: 7 * 24 * 3600 });
    await h.scheduler.start();
    await time.advance(95_000);
    expect(h.scheduler.state().lastTickAt).toBe(new Date(Date.parse(START) + 90_000).toISOString());
  });
});

describe('a journal that fails for a moment', () => {
  it('records the end of a run once the journal is back, and keeps scheduling', async () => {
    const time = new FakeTime(START);
    const { store } = failingAppends('run.succeeded', 2, 'disk full');
    const h = harness({ start: START, time, store, runner: scriptedRunner(time, () => ({ ms: 1000 })).runner });
    await h.create('acme-roofing', { every: 3600 });
    await h.scheduler.start();
    const due = Date.parse(h.scheduler.state().nextDueAt!);
    // the run ends at due + 1 s; the first two tries to record it fail, retried after 1 s and 2 s
    await time.advanceTo(due + 1000);
    expect(await h.events('run.succeeded')).toHaveLength(0);
    expect(store.projector.schedules.get('acme-roofing')!.running).toBeDefined();
    await time.advanceTo(due + 4000);
    expect((await h.events('run.succeeded')).map((e) => e.ts)).toEqual([new Date(due + 4000).toISOString()]);
    await time.advance(3600_000);
    expect(await h.events('run.started')).toHaveLength(2);
  });
});

describe('a lost journal feed', () => {
  it('is taken up again, and schedule changes made meanwhile still take effect', async () => {
    const time = new FakeTime(START);
    const store = openMemoryStore();
    // The first subscription the scheduler makes fails right away, as a broken feed would.
    const subscribe = store.journal.subscribe.bind(store.journal);
    let failures = 0;
    store.journal.subscribe = (after, listener, onError) => {
      if (failures++ === 0) {
        queueMicrotask(() => onError?.(new Error('feed broke')));
        return { close() {} };
      }
      return subscribe(after, listener, onError);
    };
    const h = harness({ start: START, time, store, runner: scriptedRunner(time, () => ({ ms: 1_000 })).runner });
    await h.scheduler.start();
    await h.create('acme-roofing', { every: 600 });
    await time.advance(2 * 3600_000);
    expect(failures).toBeGreaterThanOrEqual(2);
    expect((await h.events('run.succeeded', 'acme-roofing')).length).toBeGreaterThanOrEqual(11);
    await h.scheduler.stop();
  });
});
