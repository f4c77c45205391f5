import { describe, expect, it } from 'vitest';
import { evolve, initialState } from '../../src/core/domain/projection.ts';
import { createViewCache } from '../../src/web/views.ts';
import { buildFingerprint } from '../../src/web/kiosk.ts';
import { schedulerLine } from '../../src/web/health.ts';
import { hourTicks, timelineStrips } from '../../src/web/timeline.ts';
import { created, failed, FakeJournal, paused, started, T0 } from './fakes.ts';

describe('wall views', () => {
  it('orders tenants ERROR, stale, PAUSED, OK, then by name', () => {
    let now = T0;
    const journal = new FakeJournal(() => now);
    journal.append(created('zulu', 60), created('alpha', 60), created('mike-paused', 60), created('echo-failing', 60), created('stale-one', 3600));
    journal.append(paused('mike-paused'), started('echo-failing', 'r1', T0), failed('echo-failing', 'r1'));
    now = T0 + 4 * 60_000;
    journal.append(created('yankee', 60));
    const state = journal.events.reduce(evolve, initialState());
    // at T0 + 4 min: the 60 s schedules created at T0 are past 3 × 60 s without a success
    const views = createViewCache().views(Object.values(state.schedules), now);
    expect(views.map((v) => v.tenant)).toEqual(['echo-failing', 'alpha', 'zulu', 'mike-paused', 'stale-one', 'yankee']);
  });

  it('reuses a view until its next run or its staleness can change', () => {
    const journal = new FakeJournal(() => T0);
    journal.append(created('acme', 60));
    const schedule = journal.stateAt(1).schedules.acme!;
    const cache = createViewCache();
    const first = cache.viewOf(schedule, T0);
    expect(cache.viewOf(schedule, T0 + 1)).toBe(first);
    const next = Date.parse(first.nextRunAt!);
    expect(cache.viewOf(schedule, next)).not.toBe(first);
    expect(cache.viewOf(schedule, next).nextRunAt).not.toBe(first.nextRunAt);
  });

  it('places runs on per-tenant strips over the window', () => {
    const runs = [
      { runId: 'a', tenant: 'acme', trigger: 'scheduled', attempt: 1, scheduledFor: '', startedAt: new Date(T0 - 1_800_000).toISOString(), finishedAt: new Date(T0 - 1_740_000).toISOString(), outcome: 'failed' },
      { runId: 'b', tenant: 'acme', trigger: 'scheduled', attempt: 1, scheduledFor: '', startedAt: new Date(T0 - 7_200_000).toISOString(), outcome: 'succeeded', finishedAt: new Date(T0 - 7_100_000).toISOString() },
      { runId: 'c', tenant: 'other', trigger: 'scheduled', attempt: 1, scheduledFor: '', startedAt: new Date(T0 - 60_000).toISOString(), outcome: 'running' },
    ] as const;
    const strips = timelineStrips(runs, ['acme'], T0, 3_600_000);
    expect(strips).toHaveLength(1);
    expect(strips[0]!.marks).toEqual([{ runId: 'a', x: 0.5, width: 60_000 / 3_600_000, outcome: 'failed' }]);
    expect(hourTicks(T0, 3 * 3_600_000).map((t) => t.label)).toEqual(['06:00Z', '07:00Z', '08:00Z']);
  });

  it("tells the scheduler's state in one line, or nothing when the server does not report it", () => {
    expect(schedulerLine(undefined)).toBeNull();
    expect(schedulerLine({ state: 'running', lagMs: 3, inFlight: 2, nextDueAt: new Date(T0 + 30_000).toISOString() }, T0)).toEqual({
      ok: true,
      text: 'Scheduler running · lag 3 ms · 2 in flight · next in 30s',
    });
    expect(schedulerLine({ state: 'stopped' })).toEqual({ ok: false, text: 'Scheduler stopped' });
  });

  it('identifies a build by the hashed assets its index.html names', () => {
    const html = '<script type="module" src="/assets/index-AbC123.js"></script><link rel="stylesheet" href="/assets/index-x_Y9.css">';
    expect(buildFingerprint(html)).toBe('/assets/index-AbC123.js /assets/index-x_Y9.css');
    expect(buildFingerprint(html.replace('AbC123', 'Zzz999'))).not.toBe(buildFingerprint(html));
  });
});
