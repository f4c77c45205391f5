import { describe, expect, it } from 'vitest';
import { fail, harness, OPERATOR, scriptedRunner } from './harness.ts';
import { FakeTime } from './fake-time.ts';

const START = '2026-11-25T08:00:00.000Z';

describe('graceful stop', () => {
  it('stops firing, waits for runs in flight up to the grace, and records how each ended', async () => {
    const time = new FakeTime(START);
    const { runner, calls } = scriptedRunner(time, (req) =>
      req.tenant === 'quick-co' ? { ms: 4000 } : req.tenant === 'failing-co' ? { ms: 6000, fail: fail('remote') } : { ms: 0, hang: true },
    );
    const h = harness({ start: START, time, runner });
    await h.scheduler.start();
    for (const tenant of ['quick-co', 'failing-co', 'stuck-co']) {
      await h.create(tenant, { every: 3600 });
      await h.scheduler.runNow(tenant, OPERATOR);
    }
    await time.advance(1000);
    const before = (await h.events('run.started')).length;

    const stopping = h.scheduler.stop(10_000);
    await time.advance(10_000);
    await stopping;

    expect((await h.events('run.succeeded')).map((e) => e.tenant)).toEqual(['quick-co']);
    const failed = await h.events('run.failed');
    expect(failed.map((e) => [e.tenant, e.data.errorClass, e.data.error, e.data.willRetry])).toEqual([
      ['failing-co', 'remote', 'remote failure', false],
      ['stuck-co', 'internal', 'interrupted by shutdown', false],
    ]);
    expect(calls.find((c) => c.req.tenant === 'stuck-co')!.req.signal.aborted).toBe(true);
    expect(h.scheduler.state()).toMatchObject({ state: 'stopped', inFlight: 1 });

    // nothing fires any more, however long we wait
    await time.advance(3600_000);
    expect(await h.events('run.started')).toHaveLength(before);
    expect(h.store.projector.schedules.get('stuck-co')!.running).toBeUndefined();
  });

  it('returns at once when nothing is running', async () => {
    const time = new FakeTime(START);
    const h = harness({ start: START, time, runner: scriptedRunner(time, () => ({ ms: 1 })).runner });
    await h.create('acme-roofing', { every: 60 });
    await h.scheduler.start();
    await h.scheduler.stop(60_000);
    expect(h.scheduler.state().state).toBe('stopped');
    expect(time.timerCount).toBe(0);
  });
});
