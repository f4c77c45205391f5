import { type AuditEntry, evolveAudit, operationOf } from './audit.ts';
import type { Envelope } from './events.ts';
import { evolveRuns, type RunRecord } from './runs.ts';
import { evolveSchedule, isStale, notBeforeMs, type Schedule, scheduleStatus, type ScheduleStatus } from './schedule.ts';
import { nextDue } from './timetable.ts';

export interface AsOf {
  seq: number;
  ts: string | null;
}

export interface LastEvent {
  seq: number;
  ts: string;
  tenant: string;
  operation: string;
}

// The shape and meaning of State. Bump it when either changes (a field added to Schedule, a rule
// in evolve that gives another answer for the same events): snapshots and checkpoints of
// another version are then ignored and the projections rebuilt by replaying the journal.
export const PROJECTION_VERSION = 1;

// Everything the read side knows, as of one seq. Replay folds `evolve` over events 1..N.
export interface State {
  seq: number;
  schedules: Readonly<Record<string, Schedule>>;
  audit: readonly AuditEntry[];
  runs: readonly RunRecord[];
  lastEvent?: LastEvent;
}

export const initialState = (): State => ({ seq: 0, schedules: {}, audit: [], runs: [] });

export const lastEventOf = (e: Envelope): LastEvent => ({ seq: e.seq, ts: e.ts, tenant: e.tenant, operation: operationOf(e) });

export const evolve = (state: State, e: Envelope): State => {
  const before = state.schedules[e.tenant];
  const after = evolveSchedule(before, e);
  let schedules = state.schedules;
  if (after !== before) {
    const copy = { ...schedules };
    if (after) copy[e.tenant] = after;
    else delete copy[e.tenant];
    schedules = copy;
  }
  return {
    seq: e.seq,
    schedules,
    audit: evolveAudit(state.audit, e),
    runs: evolveRuns(state.runs, e, before?.runner),
    lastEvent: lastEventOf(e),
  };
};

export const asOf = (seq: number, lastEvent: LastEvent | undefined): AsOf => ({ seq, ts: lastEvent?.ts ?? null });

// What clients see of a schedule: the stored state plus what depends on the time of asking.
export type ScheduleView = Schedule & { status: ScheduleStatus; stale: boolean; nextRunAt: string | null };

export const scheduleView = (s: Schedule, nowMs: number): ScheduleView => {
  let nextRunAt: string | null = null;
  if (!s.paused) {
    const next = nextDue(s.spec, Date.parse(s.anchor), s.tenant, nowMs);
    // a Retry-After the CRM sent holds the next run back (the scheduler waits for it)
    if (Number.isFinite(next)) nextRunAt = new Date(Math.max(next, notBeforeMs(s))).toISOString();
  }
  return { ...s, status: scheduleStatus(s), stale: isStale(s, nowMs), nextRunAt };
};

export interface Summary {
  tenants: number;
  ok: number;
  paused: number;
  error: number;
  running: number;
  stale: number;
  lastEvent: LastEvent | null;
  asOf: AsOf;
}

export const summarize = (
  schedules: Iterable<Schedule>,
  seq: number,
  lastEvent: LastEvent | undefined,
  nowMs: number,
): Summary => {
  const summary: Summary = {
    tenants: 0,
    ok: 0,
    paused: 0,
    error: 0,
    running: 0,
    stale: 0,
    lastEvent: lastEvent ?? null,
    asOf: asOf(seq, lastEvent),
  };
  for (const s of schedules) {
    summary.tenants += 1;
    const status = scheduleStatus(s);
    if (status === 'OK') summary.ok += 1;
    else if (status === 'PAUSED') summary.paused += 1;
    else summary.error += 1;
    if (s.running) summary.running += 1;
    if (isStale(s, nowMs)) summary.stale += 1;
  }
  return summary;
};
