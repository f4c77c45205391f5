import { freshnessSeconds, type Schedule } from '../core/domain/schedule.ts';
import { scheduleView, type ScheduleView } from '../core/domain/projection.ts';

// Trouble first: ERROR, then stale, then PAUSED, then OK, each by name. A paused schedule
// goes stale by design, so it ranks as PAUSED (its stale marker still shows).
export const rank = (v: ScheduleView): number =>
  v.status === 'ERROR' ? 0 : v.stale && v.status !== 'PAUSED' ? 1 : v.status === 'PAUSED' ? 2 : 3;

export const worstFirst = (a: ScheduleView, b: ScheduleView): number =>
  rank(a) - rank(b) || (a.tenant < b.tenant ? -1 : a.tenant > b.tenant ? 1 : 0);

interface Cached {
  view: ScheduleView;
  // the instant the time-dependent parts (next run, stale) change next
  until: number;
}

// A view depends on the time only through its next run and its stale flag, so it is reused
// until one of those can change: a wall of 1,000 tenants recomputes a handful a second, and
// an unchanged schedule keeps the same view object (tiles skip re-rendering on identity).
export const createViewCache = () => {
  let cache = new WeakMap<Schedule, Cached>();
  const viewOf = (s: Schedule, nowMs: number): ScheduleView => {
    const hit = cache.get(s);
    if (hit && nowMs < hit.until) return hit.view;
    const view = scheduleView(s, nowMs);
    let until = Number.POSITIVE_INFINITY;
    if (view.nextRunAt) until = Date.parse(view.nextRunAt);
    if (!view.stale) until = Math.min(until, Date.parse(s.lastSuccessAt ?? s.createdAt) + freshnessSeconds(s) * 1000 + 1);
    // a view computed for a past instant (replay) must not be served for the present
    if (until <= nowMs) until = nowMs + 1000;
    cache.set(s, { view, until });
    return view;
  };
  return {
    viewOf,
    views: (schedules: Iterable<Schedule>, nowMs: number): ScheduleView[] => {
      const out: ScheduleView[] = [];
      for (const s of schedules) out.push(viewOf(s, nowMs));
      return out.sort(worstFirst);
    },
    clear: () => {
      cache = new WeakMap();
    },
  };
};
