import type { Envelope, ErrorClass, Policy, RunnerName, Trigger } from './events.ts';
import type { ScheduleSpec } from './spec-rules.ts';
import { isInterval } from './spec-rules.ts';

export interface PauseInfo {
  reason?: string;
  by: string;
  at: string;
  until?: string;
}

export interface RunningInfo {
  runId: string;
  trigger: Trigger;
  scheduledFor: string;
  startedAt: string;
  attempt: number;
}

export interface LastRun {
  runId: string;
  trigger: Trigger;
  outcome: 'succeeded' | 'failed';
  at: string;
  durationMs: number;
  attempt: number;
  error?: string;
  errorClass?: ErrorClass;
  willRetry?: boolean;
  // rate-limit: not to be called before this instant (Retry-After)
  notBefore?: string;
}

interface ScheduleBase {
  tenant: string;
  spec: ScheduleSpec;
  runner: RunnerName;
  policy: Policy;
  createdAt: string;
  updatedAt: string;
  // seq of the last change of settings
  version: number;
  // ts of the event that set the current spec: interval due times count from here
  anchor: string;
  // Due times at or before this instant are accounted for: fired, skipped, or from before the
  // current timetable began (creation, a new spec, a resume). After downtime, the due times
  // after it are the missed ones.
  coveredUntil: string;
  running?: RunningInfo;
  lastRun?: LastRun;
  lastSuccessAt?: string;
  watermark?: unknown;
  runCount: number;
  failureCount: number;
  consecutiveFailures: number;
  consecutiveAuthFailures: number;
}

// Paused-ness is one variant, so `pause` exists exactly when the schedule is paused.
export type Schedule = ScheduleBase & ({ paused: false } | { paused: true; pause: PauseInfo });

export type ScheduleStatus = 'OK' | 'PAUSED' | 'ERROR';

// A Retry-After the CRM sent with the last failure: no call before this instant (0: none).
export const notBeforeMs = (s: Schedule): number => (s.lastRun?.notBefore ? Date.parse(s.lastRun.notBefore) : 0);

export const scheduleStatus = (s: Schedule): ScheduleStatus =>
  s.paused ? 'PAUSED' : s.lastRun?.outcome === 'failed' ? 'ERROR' : 'OK';

export const DEFAULT_FRESHNESS_FACTOR = 3;
// A cron schedule has no single interval; a day is the conservative default target.
const DEFAULT_CRON_FRESHNESS_SECONDS = 24 * 3600;

export const freshnessSeconds = (s: Pick<Schedule, 'spec' | 'policy'>): number =>
  s.policy.freshnessSeconds ??
  (isInterval(s.spec) ? s.spec.every * DEFAULT_FRESHNESS_FACTOR : DEFAULT_CRON_FRESHNESS_SECONDS);

// Stale: no successful import within the freshness target. A schedule that never succeeded
// counts from its creation, so a new schedule is not stale before it had a chance to run.
export const isStale = (s: Schedule, nowMs: number): boolean => {
  const since = Date.parse(s.lastSuccessAt ?? s.createdAt);
  return nowMs - since > freshnessSeconds(s) * 1000;
};

// ISO instants in one format compare as strings.
const later = (a: string | undefined, b: string): string => (a !== undefined && a > b ? a : b);

const fromTimetable = (t: Trigger): boolean => t === 'scheduled' || t === 'catchup';

// A finish for another run (one of a deleted schedule of the same name, or one recorded
// twice) must not end the run this schedule holds.
const holds = (s: Schedule, runId: string): boolean => s.running?.runId === runId;

export const evolveSchedule = (s: Schedule | undefined, e: Envelope): Schedule | undefined => {
  if (e.type === 'schedule.created')
      return {
        tenant: e.tenant,
        spec: e.data.spec,
        runner: e.data.runner,
        policy: e.data.policy ?? {},
        createdAt: e.ts,
        updatedAt: e.ts,
        version: e.seq,
        anchor: e.ts,
        coveredUntil: e.ts,
        paused: false,
        runCount: 0,
        failureCount: 0,
        consecutiveFailures: 0,
        consecutiveAuthFailures: 0,
      };
  if (e.type === 'schedule.deleted' || !s) return undefined;
  switch (e.type) {
    case 'schedule.updated': {
      const next: Schedule = { ...s, updatedAt: e.ts, version: e.seq };
      if (e.data.spec) Object.assign(next, { spec: e.data.spec, anchor: e.ts, coveredUntil: later(s.coveredUntil, e.ts) });
      if (e.data.runner) next.runner = e.data.runner;
      if (e.data.policy) next.policy = e.data.policy;
      return next;
    }
    case 'schedule.paused': {
      const { reason, until } = e.data;
      const pause: PauseInfo = { by: e.actor, at: e.ts };
      if (reason !== undefined) pause.reason = reason;
      if (until !== undefined) pause.until = until;
      return { ...s, updatedAt: e.ts, paused: true, pause };
    }
    case 'schedule.resumed': {
      const { pause: _dropped, ...rest } = s as Schedule & { pause?: PauseInfo };
      // A resume clears the auth streak: the operator says the credentials were fixed.
      // Due times that passed while paused were not missed: the timetable restarts now.
      return {
        ...(rest as Schedule),
        updatedAt: e.ts,
        paused: false,
        consecutiveAuthFailures: 0,
        coveredUntil: later(s.coveredUntil, e.ts),
      };
    }
    case 'run.started':
      return {
        ...s,
        coveredUntil: fromTimetable(e.data.trigger) ? later(s.coveredUntil, e.data.scheduledFor) : s.coveredUntil,
        running: {
          runId: e.data.runId,
          trigger: e.data.trigger,
          scheduledFor: e.data.scheduledFor,
          startedAt: e.ts,
          attempt: e.data.attempt,
        },
      };
    case 'run.succeeded': {
      if (!holds(s, e.data.runId)) return s;
      const { running: _done, ...rest } = s;
      const lastRun: LastRun = {
        runId: e.data.runId,
        trigger: s.running?.runId === e.data.runId ? s.running.trigger : 'scheduled',
        outcome: 'succeeded',
        at: e.ts,
        durationMs: e.data.durationMs,
        attempt: s.running?.runId === e.data.runId ? s.running.attempt : 1,
      };
      const next: Schedule = {
        ...(rest as Schedule),
        lastRun,
        lastSuccessAt: e.ts,
        runCount: s.runCount + 1,
        consecutiveFailures: 0,
        consecutiveAuthFailures: 0,
      };
      if (e.data.result?.watermark !== undefined) next.watermark = e.data.result.watermark;
      return next;
    }
    case 'run.failed': {
      if (!holds(s, e.data.runId)) return s;
      const { running: _done, ...rest } = s;
      const lastRun: LastRun = {
        runId: e.data.runId,
        trigger: s.running?.runId === e.data.runId ? s.running.trigger : 'scheduled',
        outcome: 'failed',
        at: e.ts,
        durationMs: e.data.durationMs,
        attempt: e.data.attempt,
        error: e.data.error,
        errorClass: e.data.errorClass,
        willRetry: e.data.willRetry,
      };
      if (e.data.notBefore !== undefined) lastRun.notBefore = e.data.notBefore;
      return {
        ...(rest as Schedule),
        lastRun,
        runCount: s.runCount + 1,
        failureCount: s.failureCount + 1,
        consecutiveFailures: s.consecutiveFailures + 1,
        consecutiveAuthFailures: e.data.errorClass === 'auth' ? s.consecutiveAuthFailures + 1 : 0,
      };
    }
    case 'run.skipped':
      return { ...s, coveredUntil: later(s.coveredUntil, e.data.through ?? e.data.scheduledFor) };
    // about the journal, not a schedule (its tenant is SYSTEM_TENANT)
    case 'journal.pruned':
      return s;
    default: {
      const unreachable: never = e;
      return unreachable;
    }
  }
};
