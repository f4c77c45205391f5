import { Cron } from 'croner';
import { type CronSpec, isInterval, type ScheduleSpec } from './spec-rules.ts';
import type { Policy } from './events.ts';
import { nextDue } from './timetable.ts';

// What to do about due times that passed without a run (downtime, or a stalled process).
// Instants are epoch milliseconds.

export interface DueSpan {
  count: number;
  first: number;
  last: number;
  // the due time before `last`, when count > 1
  beforeLast?: number;
}

// Every due time in (after, until], counted exactly, without listing them.
export const dueSpan = (spec: ScheduleSpec, anchorMs: number, tenant: string, after: number, until: number): DueSpan | undefined => {
  if (!isInterval(spec)) return cronSpan(spec, after, until);
  const first = nextDue(spec, anchorMs, tenant, after);
  if (!(first <= until)) return undefined;
  const period = spec.every * 1000;
  const count = Math.floor((until - first) / period) + 1;
  const last = first + (count - 1) * period;
  return count > 1 ? { count, first, last, beforeLast: last - period } : { count, first, last };
};

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
// croner's zone rules (a skipped or repeated hour) only matter this close to an offset change
const NEAR_CHANGE = 3 * 60 * MINUTE;

const formatters = new Map<string, Intl.DateTimeFormat>();

const utcOffsetMinutes = (zone: string, ms: number): number => {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' });
    formatters.set(zone, f);
  }
  const name = f.formatToParts(ms).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const m = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
  return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
};

// Stepping croner through a zone costs ~0.1 ms a step, so a minute cron over a month of
// downtime would block for seconds. Between offset changes a zone is a fixed offset, which
// croner steps ~15× faster; only the hours around a change go through the zone rules.
const cronSpan = (spec: CronSpec, after: number, until: number): DueSpan | undefined => {
  const zoned = new Cron(spec.cron, { timezone: spec.timezone, paused: true });
  let count = 0;
  let first: number | undefined;
  let last = after;
  let beforeLast: number | undefined;
  const step = (cron: Cron, from: number, to: number) => {
    for (let t = from; ; ) {
      const next = cron.nextRun(new Date(t))?.getTime();
      if (next === undefined || next > to) return;
      count += 1;
      first ??= next;
      beforeLast = count > 1 ? last : undefined;
      last = next;
      t = next;
    }
  };
  for (let cursor = after; cursor < until; ) {
    const offset = utcOffsetMinutes(spec.timezone, cursor);
    let end = cursor;
    while (end < until && utcOffsetMinutes(spec.timezone, Math.min(end + DAY, until)) === offset) end = Math.min(end + DAY, until);
    if (end < until) {
      // the offset changes within the next day: find the change to the minute
      let hi = Math.min(end + DAY, until);
      while (hi - end > MINUTE) {
        const mid = end + Math.floor((hi - end) / 2);
        if (utcOffsetMinutes(spec.timezone, mid) === offset) end = mid;
        else hi = mid;
      }
      end = hi;
    }
    const fastFrom = cursor + NEAR_CHANGE;
    const fastTo = end - NEAR_CHANGE;
    if (fastTo > fastFrom) {
      step(zoned, cursor, fastFrom);
      step(new Cron(spec.cron, { utcOffset: offset, paused: true }), fastFrom, fastTo);
      step(zoned, fastTo, end);
    } else {
      step(zoned, cursor, end);
    }
    cursor = end;
  }
  if (first === undefined) return undefined;
  return beforeLast === undefined ? { count, first, last } : { count, first, last, beforeLast };
};

// How long after a missed due time a catch-up run is still worth it: the policy's
// catchupSeconds, else one interval (for cron: the gap to the following due time).
export const catchupWindowMs = (spec: ScheduleSpec, policy: Policy, anchorMs: number, tenant: string, dueMs: number): number => {
  if (policy.catchupSeconds !== undefined) return policy.catchupSeconds * 1000;
  if (isInterval(spec)) return spec.every * 1000;
  const next = nextDue(spec, anchorMs, tenant, dueMs);
  return Number.isFinite(next) ? next - dueMs : 0;
};

export interface MissedPlan {
  // the due time to run now, with trigger `catchup`
  catchup?: number;
  // one run.skipped event (reason `missed`) for these
  skipped?: { from: number; through: number; count: number };
}

// One catch-up run for the latest missed due time if it is recent enough; every other missed
// due time becomes one skipped record, never a flood of runs or events.
export const planMissed = (span: DueSpan, windowMs: number, now: number): MissedPlan => {
  if (now - span.last <= windowMs) {
    if (span.count === 1) return { catchup: span.last };
    return { catchup: span.last, skipped: { from: span.first, through: span.beforeLast!, count: span.count - 1 } };
  }
  return { skipped: { from: span.first, through: span.last, count: span.count } };
};
