import { describe, expect, it } from 'vitest';
import { scheduleView, summarize } from '../../../src/core/domain/projection.ts';
import { fail, harness, scriptedRunner } from './harness.ts';
import { FakeTime } from './fake-time.ts';

const START = '2026-11-25T08:00:00.000Z';
const T0 = Date.parse(START);
const MINUTE = 60_000;

// acme-roofing's n-th run succeeds when succeed(n); healthy-co's always do.
const setup = async (succeed: (n: number) => boolean, policy = {}) => {
  const time = new FakeTime(START);
  let n = 0;
  const { runner } = scriptedRunner(time, (req) =>
    req.tenant !== 'acme-roofing' || succeed(++n) ? { ms: 1000 } : { ms: 1000, fail: fail('remote') },
  );
  const h = harness({ start: START, time, runner });
  await h.create('acme-roofing', { every: 600 }, { maxAttempts: 1, ...policy });
  await h.create('healthy-co', { every: 600 });
  await h.scheduler.start();
  const view = (tenant = 'acme-roofing') => scheduleView(h.store.projector.schedules.get(tenant)!, time.now());
  const summary = () => summarize(h.store.projector.schedules.values(), h.store.projector.seq, h.store.projector.lastEvent, time.now());
  return { ...h, view, summary };
};

describe('freshness', () => {
  it('marks a schedule stale when no import succeeded for 3 × its interval, and the summary counts it', async () => {
    const h = await setup(() => false);
    await h.time.advanceTo(T0 + 30 * MINUTE);
    expect(h.view()).toMatchObject({ stale: false, status: 'ERROR' });
    expect(h.summary()).toMatchObject({ tenants: 2, ok: 1, error: 1, stale: 0 });

    await h.time.advanceTo(T0 + 30 * MINUTE + 1);
    expect(h.view()).toMatchObject({ stale: true, status: 'ERROR' });
    expect(h.view().lastSuccessAt).toBeUndefined();
    expect(h.view('healthy-co')).toMatchObject({ stale: false, status: 'OK' });
    expect(h.summary()).toMatchObject({ tenants: 2, ok: 1, error: 1, stale: 1 });
  });

  it('counts from the last success, so a schedule that recovers is fresh again', async () => {
    const h = await setup((n) => n > 4);
    await h.time.advanceTo(T0 + 60 * MINUTE);
    const v = h.view();
    expect(v.stale).toBe(false);
    expect(h.time.now() - Date.parse(v.lastSuccessAt!)).toBeLessThan(600_000);
    expect(h.summary()).toMatchObject({ ok: 2, stale: 0 });
  });

  it('uses the policy’s freshnessSeconds when set', async () => {
    const h = await setup(() => false, { freshnessSeconds: 3600 });
    await h.time.advanceTo(T0 + 59 * MINUTE);
    expect(h.view().stale).toBe(false);
    await h.time.advanceTo(T0 + 60 * MINUTE + 1);
    expect(h.view().stale).toBe(true);
  });
});
