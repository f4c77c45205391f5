import { signal } from '@preact/signals';
import type { AuditEntry } from '../core/domain/audit.ts';
import type { Envelope } from '../core/domain/events.ts';
import { scheduleView, type ScheduleView } from '../core/domain/projection.ts';
import type { Schedule } from '../core/domain/schedule.ts';
import { ApiError, type Api } from './api.ts';
import type { Feed } from './feed.ts';
import { worstFirst } from './views.ts';

// The state as of one point of the journal, from GET /api/replay: the server folds the same
// rules as live from its nearest checkpoint, so a point a year back costs no more than today's.

export interface Snapshot {
  seq: number;
  ts: string | null;
  schedules: ScheduleView[];
  audit: readonly AuditEntry[];
}

interface ReplayAnswer {
  asOf: { seq: number; ts: string | null };
  schedules: Schedule[] | Record<string, Schedule>;
  audit: AuditEntry[] | { entries: AuditEntry[] };
}

// Views as they were: status, stale and next run computed at the point's own time.
const viewsAt = (schedules: Iterable<Schedule>, ts: string | null): ScheduleView[] => {
  const at = ts ? Date.parse(ts) : 0;
  return [...schedules].map((s) => scheduleView(s, at)).sort(worstFirst);
};

export const createReplay = ({ api, feed }: { api: Api; feed: Feed }) => {
  const cursor = signal(0);
  const lastSeq = signal(0);
  const snapshot = signal<Snapshot | null>(null);
  const event = signal<Envelope | null>(null);
  const error = signal<string | null>(null);
  const loading = signal(false);

  const fromServer = async (query: string): Promise<Snapshot> => {
    const answer = await api.get<ReplayAnswer>(`/api/replay?${query}`);
    const list = Array.isArray(answer.schedules) ? answer.schedules : Object.values(answer.schedules);
    const audit = Array.isArray(answer.audit) ? answer.audit : answer.audit.entries;
    return { seq: answer.asOf.seq, ts: answer.asOf.ts, schedules: viewsAt(list, answer.asOf.ts), audit };
  };

  const eventAt = async (seq: number): Promise<Envelope | null> => {
    if (seq < 1) return null;
    const page = await feed.page(seq - 1, 1);
    return page.events[0]?.seq === seq ? page.events[0] : null;
  };

  let request = 0;
  const show = async (load: () => Promise<Snapshot>) => {
    const mine = ++request;
    loading.value = true;
    error.value = null;
    try {
      const snap = await load();
      const at = await eventAt(snap.seq);
      if (mine !== request) return;
      snapshot.value = snap;
      cursor.value = snap.seq;
      event.value = at;
    } catch (e) {
      if (mine === request) error.value = e instanceof ApiError ? e.message : String(e);
    } finally {
      if (mine === request) loading.value = false;
    }
  };

  const refreshLast = async () => {
    lastSeq.value = (await feed.page(Number.MAX_SAFE_INTEGER, 1)).lastSeq;
  };

  const goTo = (seq: number) => {
    const target = Math.max(0, Math.min(Math.round(seq), lastSeq.value));
    cursor.value = target;
    return show(() => fromServer(`seq=${target}`));
  };

  // The last event at or before a time: ts never decreases along seq, so this is well defined.
  const goToTime = (iso: string) => show(() => fromServer(`at=${encodeURIComponent(iso)}`));

  return {
    cursor,
    lastSeq,
    snapshot,
    event,
    error,
    loading,
    refreshLast,
    goTo,
    goToTime,
    step: (delta: number) => goTo(cursor.value + delta),
  };
};

export type Replay = ReturnType<typeof createReplay>;
