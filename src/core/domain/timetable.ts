import { Cron } from 'croner';
import { isInterval, type ScheduleSpec } from './spec-rules.ts';

// Pure due-time arithmetic. Instants are epoch milliseconds.

// A stable spread per tenant, so equal-interval schedules do not all fire at :00. It is
// spread to the millisecond: at whole seconds, 10,000 schedules of 10–60 s put ~360 runs in
// the same millisecond every second, and the last of each burst waits for all the others.
export const tenantOffsetMs = (tenant: string, everySeconds: number): number => {
  let hash = 2166136261;
  for (let i = 0; i < tenant.length; i++) {
    hash ^= tenant.charCodeAt(i);
    hash = Math.imul(hash, 16777619);
  }
  return (hash >>> 0) % (everySeconds * 1000);
};

// The first due time strictly after `after`. Interval due times are anchor + offset + k × every,
// so a late or slow run never shifts the ones after it.
export const nextDue = (spec: ScheduleSpec, anchorMs: number, tenant: string, after: number): number => {
  if (isInterval(spec)) {
    const period = spec.every * 1000;
    const base = anchorMs - (anchorMs % period) + tenantOffsetMs(tenant, spec.every);
    if (after < base) return base;
    return base + (Math.floor((after - base) / period) + 1) * period;
  }
  const next = new Cron(spec.cron, { timezone: spec.timezone, paused: true }).nextRun(new Date(after));
  return next ? next.getTime() : Number.POSITIVE_INFINITY;
};

// The latest due time at or before `at`, or undefined if none since `since`.
export const previousDue = (
  spec: ScheduleSpec,
  anchorMs: number,
  tenant: string,
  since: number,
  at: number,
): number | undefined => {
  if (isInterval(spec)) {
    const period = spec.every * 1000;
    const base = anchorMs - (anchorMs % period) + tenantOffsetMs(tenant, spec.every);
    if (at < base) return undefined;
    const due = base + Math.floor((at - base) / period) * period;
    return due > since ? due : undefined;
  }
  const previous = new Cron(spec.cron, { timezone: spec.timezone, paused: true }).previousRuns(1, new Date(at + 1))[0];
  return previous && previous.getTime() > since ? previous.getTime() : undefined;
};
