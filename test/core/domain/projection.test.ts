import { describe, expect, it } from 'vitest';
import { AUDIT_LIMIT } from '../../../src/core/domain/audit.ts';
import type { Draft } from '../../../src/core/domain/events.ts';
import { scheduleView, summarize } from '../../../src/core/domain/projection.ts';
import { isStale, scheduleStatus } from '../../../src/core/domain/schedule.ts';
import { nextDue } from '../../../src/core/domain/timetable.ts';
import { ev, fold, history, iso, MINUTE, T0 } from './given.ts';

const acme = 'acme-roofing';
const at = (i: number) => iso(T0 + i * MINUTE); // ts of the (i+1)th event of a history
const stateAfter = (...drafts: Draft[]) => fold(history(...drafts));
const scheduleAfter = (...drafts: Draft[]) => {
  const s = stateAfter(...drafts).schedules[acme];
  if (!s) throw new Error('no schedule');
  return s;
};

describe('evolve: schedules', () => {
  it('a created schedule is OK, not paused, versioned by its seq', () => {
    const s = scheduleAfter(ev.created('other'), ev.created(acme, 300));
    expect(s).toMatchObject({ tenant: acme, spec: { every: 300 }, runner: 'demo', paused: false, createdAt: at(1), updatedAt: at(1), version: 2 });
    expect(s.runCount).toBe(0);
    expect(scheduleStatus(s)).toBe('OK');
  });

  it('a paused schedule is PAUSED and says who paused it, when and why', () => {
    const s = scheduleAfter(ev.created(acme), ev.paused(acme, 'CRM maintenance'));
    expect(scheduleStatus(s)).toBe('PAUSED');
    expect(s).toMatchObject({ paused: true, pause: { reason: 'CRM maintenance', by: 'operator', at: at(1) }, updatedAt: at(1), version: 1 });
  });

  it('a resumed schedule is OK again and carries no pause', () => {
    const s = scheduleAfter(ev.created(acme), ev.paused(acme, 'x'), ev.resumed(acme));
    expect(scheduleStatus(s)).toBe('OK');
    expect(s.paused).toBe(false);
    expect('pause' in s).toBe(false);
  });

  it('a schedule whose last attempt failed is ERROR, even while a retry is coming', () => {
    const failed = scheduleAfter(ev.created(acme), ev.started(acme, 'r1'), ev.failed(acme, 'r1', true));
    expect(scheduleStatus(failed)).toBe('ERROR');
    expect(failed).toMatchObject({ runCount: 1, failureCount: 1, consecutiveFailures: 1, lastRun: { outcome: 'failed', willRetry: true } });
    expect(failed.running).toBeUndefined();
  });

  it('a success after failures is OK and resets the failure streak', () => {
    const s = scheduleAfter(ev.created(acme), ev.started(acme, 'r1'), ev.failed(acme, 'r1'), ev.started(acme, 'r2'), ev.succeeded(acme, 'r2'));
    expect(scheduleStatus(s)).toBe('OK');
    expect(s).toMatchObject({ runCount: 2, failureCount: 1, consecutiveFailures: 0, lastSuccessAt: at(4), lastRun: { runId: 'r2', outcome: 'succeeded' } });
  });

  it('PAUSED wins over ERROR', () => {
    const s = scheduleAfter(ev.created(acme), ev.started(acme, 'r1'), ev.failed(acme, 'r1'), ev.paused(acme));
    expect(scheduleStatus(s)).toBe('PAUSED');
  });

  it('an update changes the settings and the version, and keeps the status', () => {
    const s = scheduleAfter(ev.created(acme, 60), ev.paused(acme), ev.updated(acme, { spec: { every: 900 }, runner: 'http' }));
    expect(s).toMatchObject({ spec: { every: 900 }, runner: 'http', version: 3, paused: true, createdAt: at(0), updatedAt: at(2) });
  });

  it('a deleted schedule is gone, and a new one under the same slug starts afresh', () => {
    expect(stateAfter(ev.created(acme), ev.deleted(acme)).schedules[acme]).toBeUndefined();
    const s = scheduleAfter(ev.created(acme), ev.started(acme, 'r1'), ev.succeeded(acme, 'r1'), ev.deleted(acme), ev.created(acme, 120));
    expect(s).toMatchObject({ spec: { every: 120 }, version: 5, createdAt: at(4), runCount: 0 });
    expect(s.lastRun).toBeUndefined();
  });

  it('ignores events for a tenant that has no schedule', () => {
    const state = stateAfter(ev.paused(acme), ev.started(acme, 'r1'));
    expect(state.schedules).toEqual({});
    expect(state.seq).toBe(2);
  });

  it('a running schedule shows its run until it finishes', () => {
    const s = scheduleAfter(ev.created(acme), ev.started(acme, 'r1', 'manual'));
    expect(s.running).toMatchObject({ runId: 'r1', trigger: 'manual', startedAt: at(1), attempt: 1 });
  });
});

describe('evolve: stale', () => {
  // every 60 s: the default freshness target is three intervals
  const created = scheduleAfter(ev.created(acme, 60));

  it('is not stale before the freshness target has passed since creation', () => {
    expect(isStale(created, T0 + 180_000)).toBe(false);
    expect(isStale(created, T0 + 180_001)).toBe(true);
  });

  it('counts from the last successful import', () => {
    const s = scheduleAfter(ev.created(acme, 60), ev.started(acme, 'r1'), ev.succeeded(acme, 'r1'));
    expect(isStale(s, T0 + 2 * MINUTE + 180_000)).toBe(false);
    expect(isStale(s, T0 + 2 * MINUTE + 180_001)).toBe(true);
  });

  it('is not reset by a failed run', () => {
    const s = scheduleAfter(ev.created(acme, 60), ev.started(acme, 'r1'), ev.failed(acme, 'r1'));
    expect(isStale(s, T0 + 180_001)).toBe(true);
  });

  it('honours a per-schedule freshness target', () => {
    const s = scheduleAfter(ev.created(acme, 60, { policy: { freshnessSeconds: 3600 } }));
    expect(isStale(s, T0 + 3_600_000)).toBe(false);
    expect(isStale(s, T0 + 3_600_001)).toBe(true);
  });

  it('shows in the schedule view and the summary', () => {
    expect(scheduleView(created, T0 + 10 * MINUTE)).toMatchObject({ status: 'OK', stale: true });
    expect(scheduleView(created, T0)).toMatchObject({ status: 'OK', stale: false });
  });
});

describe('schedule view: next run', () => {
  it('is held back by a Retry-After the CRM sent, and only while it is in force', () => {
    const notBefore = iso(T0 + 45 * MINUTE);
    const limited: Draft = {
      type: 'run.failed',
      tenant: acme,
      data: { runId: 'r1', durationMs: 900, error: '429', errorClass: 'rate-limit', attempt: 1, willRetry: false, notBefore },
    };
    const s = scheduleAfter(ev.created(acme, 600), ev.started(acme, 'r1'), limited);
    expect(s.lastRun?.notBefore).toBe(notBefore);
    // the timetable says T0 + 10 min (anchored, plus the tenant's offset); the CRM said not before T0 + 45 min
    expect(scheduleView(s, T0 + 3 * MINUTE).nextRunAt).toBe(notBefore);
    // once it has passed, the timetable alone decides
    expect(scheduleView(s, T0 + 50 * MINUTE).nextRunAt).toBe(iso(nextDue({ every: 600 }, Date.parse(s.anchor), acme, T0 + 50 * MINUTE)));
  });
});

describe('evolve: audit', () => {
  it('lists entries newest first with a short operation word and the details', () => {
    const state = stateAfter(ev.created(acme), ev.paused(acme, 'CRM maintenance'), ev.started(acme, 'r1', 'manual'));
    expect(state.audit.map((a) => [a.seq, a.operation])).toEqual([
      [3, 'manual-run'],
      [2, 'paused'],
      [1, 'created'],
    ]);
    expect(state.audit[1]).toEqual({
      seq: 2,
      ts: at(1),
      tenant: acme,
      operation: 'paused',
      source: 'api',
      actor: 'operator',
      metadata: { type: 'schedule.paused', reason: 'CRM maintenance' },
    });
  });

  it('names every kind of event', () => {
    const state = stateAfter(
      ev.created(acme),
      ev.updated(acme, { spec: { every: 90 } }),
      ev.paused(acme),
      ev.resumed(acme),
      ev.started(acme, 'r1'),
      ev.succeeded(acme, 'r1'),
      ev.started(acme, 'r2', 'manual'),
      ev.failed(acme, 'r2'),
      ev.skipped(acme),
      ev.deleted(acme),
    );
    expect(state.audit.map((a) => a.operation).reverse()).toEqual([
      'created',
      'updated',
      'paused',
      'resumed',
      'scheduled-run',
      'run-succeeded',
      'manual-run',
      'run-failed',
      'run-skipped',
      'deleted',
    ]);
  });

  it('keeps only the last 100 entries', () => {
    const drafts: Draft[] = [ev.created(acme)];
    for (let i = 0; i < 149; i++) drafts.push(i % 2 === 0 ? ev.paused(acme) : ev.resumed(acme));
    const state = stateAfter(...drafts);
    expect(state.audit).toHaveLength(AUDIT_LIMIT);
    expect(state.audit[0]!.seq).toBe(150);
    expect(state.audit[AUDIT_LIMIT - 1]!.seq).toBe(51);
  });
});

describe('evolve: runs and summary', () => {
  it('lists runs newest first with their outcome and duration', () => {
    const state = stateAfter(
      ev.created(acme),
      ev.created('other'),
      ev.started(acme, 'r1'),
      ev.started('other', 'r2', 'manual'),
      ev.succeeded(acme, 'r1', 1500),
      ev.failed('other', 'r2', false),
    );
    expect(state.runs).toEqual([
      expect.objectContaining({ runId: 'r2', tenant: 'other', trigger: 'manual', outcome: 'failed', durationMs: 900, errorClass: 'remote', finishedAt: at(5) }),
      expect.objectContaining({ runId: 'r1', tenant: acme, runner: 'demo', outcome: 'succeeded', durationMs: 1500, imported: 42, startedAt: at(2) }),
    ]);
  });

  it('shows a run as running until its outcome is recorded', () => {
    expect(stateAfter(ev.created(acme), ev.started(acme, 'r1')).runs).toEqual([expect.objectContaining({ runId: 'r1', outcome: 'running' })]);
  });

  it('summarises the schedules by status, with the last event and asOf', () => {
    const state = stateAfter(
      ev.created('a'),
      ev.created('b'),
      ev.created('c'),
      ev.created('d'),
      ev.paused('b'),
      ev.started('c', 'r1'),
      ev.failed('c', 'r1'),
      ev.started('d', 'r2'),
    );
    const summary = summarize(Object.values(state.schedules), state.seq, state.lastEvent, T0 + 7 * MINUTE);
    expect(summary).toMatchObject({
      tenants: 4,
      ok: 2,
      paused: 1,
      error: 1,
      running: 1,
      stale: 4,
      lastEvent: { seq: 8, ts: at(7), tenant: 'd', operation: 'scheduled-run' },
      asOf: { seq: 8, ts: at(7) },
    });
  });
});
