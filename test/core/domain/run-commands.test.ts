import { describe, expect, it } from 'vitest';
import { ev, fold, given, history, iso, T0 } from './given.ts';

const acme = 'acme-roofing';

describe('decide: FinishRun', () => {
  it('records a success with its result', () => {
    given(ev.created(acme), ev.started(acme, 'r1'))
      .when({ type: 'FinishRun', tenant: acme, runId: 'r1', durationMs: 1200, outcome: { status: 'succeeded', result: { imported: 42 } } })
      .then([ev.succeeded(acme, 'r1')]);
  });

  it('records a failure with its class, attempt and retry', () => {
    given(ev.created(acme), ev.started(acme, 'r1'))
      .when({
        type: 'FinishRun',
        tenant: acme,
        runId: 'r1',
        durationMs: 900,
        outcome: { status: 'failed', error: 'CRM said 502', errorClass: 'remote', attempt: 1, willRetry: true, retryAt: iso(T0 + 30_000) },
      })
      .then([{ ...ev.failed(acme, 'r1'), data: { ...ev.failed(acme, 'r1').data, retryAt: iso(T0 + 30_000) } } as never]);
  });

  it('still records the end of a run whose schedule was deleted meanwhile', () => {
    given(ev.created(acme), ev.started(acme, 'r1'), ev.deleted(acme))
      .when({ type: 'FinishRun', tenant: acme, runId: 'r1', durationMs: 1200, outcome: { status: 'succeeded', result: { imported: 42 } } })
      .then([ev.succeeded(acme, 'r1')]);
  });
});

describe('decide: SkipRun', () => {
  it('records skipped due times, with the last one when there are several', () => {
    given(ev.created(acme))
      .when({ type: 'SkipRun', tenant: acme, scheduledFor: iso(T0), reason: 'missed', count: 3, through: iso(T0 + 120_000) })
      .then([{ type: 'run.skipped', tenant: acme, data: { scheduledFor: iso(T0), reason: 'missed', count: 3, through: iso(T0 + 120_000) } }]);
  });

  it('refuses a tenant without a schedule', () => {
    given().when({ type: 'SkipRun', tenant: acme, scheduledFor: iso(T0), reason: 'overlap', count: 1 }).thenFails('not_found');
  });
});

describe('evolve: coveredUntil', () => {
  const covered = (...drafts: Parameters<typeof history>) => fold(history(...drafts)).schedules[acme]!.coveredUntil;

  it('starts at creation and follows scheduled runs and skips, not manual runs', () => {
    expect(covered(ev.created(acme))).toBe(iso(T0));
    const skipped = { type: 'run.skipped', tenant: acme, data: { scheduledFor: iso(T0 + 10 * 60_000), reason: 'missed', count: 4, through: iso(T0 + 40 * 60_000) } } as const;
    expect(covered(ev.created(acme), skipped)).toBe(iso(T0 + 40 * 60_000));
    const manual = { type: 'run.started', tenant: acme, data: { runId: 'm', trigger: 'manual', scheduledFor: iso(T0 + 90 * 60_000), attempt: 1 } } as const;
    expect(covered(ev.created(acme), skipped, manual)).toBe(iso(T0 + 40 * 60_000));
  });

  it('moves to the resume, so due times while paused are not missed', () => {
    // created at T0, paused at T0+1 min, resumed at T0+2 min
    expect(covered(ev.created(acme), ev.paused(acme), ev.resumed(acme))).toBe(iso(T0 + 2 * 60_000));
  });
});

describe('evolve: a finish for another run', () => {
  it('leaves the run the schedule holds alone', () => {
    const state = fold(history(ev.created(acme), ev.started(acme, 'new-run'), ev.succeeded(acme, 'old-run')));
    expect(state.schedules[acme]).toMatchObject({ running: { runId: 'new-run' }, runCount: 0 });
  });
});
