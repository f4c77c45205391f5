import { type AuditEntry, evolveAudit } from '../core/domain/audit.ts';
import type { Envelope } from '../core/domain/events.ts';
import type { ScheduleView, State } from '../core/domain/projection.ts';
import { evolveRuns, type RunRecord } from '../core/domain/runs.ts';
import { evolveSchedule, type Schedule } from '../core/domain/schedule.ts';
import type { Api } from './api.ts';
import type { Feed } from './feed.ts';

interface Listed {
  asOf: { seq: number; ts: string | null };
}
type SchedulesAnswer = Listed & { schedules: (Schedule & Partial<ScheduleView>)[] };
type AuditAnswer = Listed & { entries: AuditEntry[] };
type RunsAnswer = Listed & { runs: RunRecord[] };

// The three reads run at once, so each answer is as of its own seq. Each part is brought
// forward to the newest of them with the domain's own per-part rules and the events between.
export const loadState = async (api: Api, feed: Feed): Promise<State> => {
  const [runs, audit, list] = await Promise.all([
    api.get<RunsAnswer>('/api/runs?limit=500'),
    api.get<AuditAnswer>('/api/audit?limit=100'),
    api.get<SchedulesAnswer>('/api/schedules'),
  ]);
  const seq = Math.max(list.asOf.seq, audit.asOf.seq, runs.asOf.seq);
  const between: Envelope[] = [];
  for (let after = Math.min(list.asOf.seq, audit.asOf.seq, runs.asOf.seq); after < seq; ) {
    const page = await feed.page(after);
    if (page.events.length === 0) break;
    for (const e of page.events) if (e.seq <= seq) between.push(e);
    after = page.events[page.events.length - 1]!.seq;
  }
  const schedules: Record<string, Schedule> = {};
  for (const view of list.schedules) {
    // status, stale and nextRunAt depend on the time of asking; views are recomputed here
    const { status: _s, stale: _t, nextRunAt: _n, ...stored } = view;
    schedules[view.tenant] = stored as Schedule;
  }
  let auditEntries: readonly AuditEntry[] = audit.entries;
  let runList: readonly RunRecord[] = runs.runs;
  for (const e of between) {
    // the same order as evolve: runs see the schedule as it was before the event
    if (e.seq > runs.asOf.seq) runList = evolveRuns(runList, e, schedules[e.tenant]?.runner);
    if (e.seq > audit.asOf.seq) auditEntries = evolveAudit(auditEntries, e);
    if (e.seq > list.asOf.seq) {
      const next = evolveSchedule(schedules[e.tenant], e);
      if (next) schedules[e.tenant] = next;
      else delete schedules[e.tenant];
    }
  }
  const loadedState: State = { seq, schedules, audit: auditEntries, runs: runList };
  const newest = auditEntries[0];
  if (newest && newest.seq === seq) {
    loadedState.lastEvent = { seq: newest.seq, ts: newest.ts, tenant: newest.tenant, operation: newest.operation };
  }
  return loadedState;
};
