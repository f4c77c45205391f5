import { signal } from '@preact/signals';
import type { AuditEntry } from '../core/domain/audit.ts';
import type { Envelope } from '../core/domain/events.ts';
import { evolve, initialState, scheduleView, type ScheduleView, type State } from '../core/domain/projection.ts';
import type { Schedule } from '../core/domain/schedule.ts';
import { ApiError, type Api } from './api.ts';
import type { Feed } from './feed.ts';
import { worstFirst } from './views.ts';

// The state as of one point of the journal. Replay is the same code as live: a fold of
// `evolve` over events 1..N — done by the server (GET /api/replay) when it offers it, else here.

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

const CHECKPOINT_EVERY = 500;

// Views as they were: status, stale and next run computed at the point's own time.
const viewsAt = (schedules: Iterable<Schedule>, ts: string | null): ScheduleView[] => {
  const at = ts ? Date.parse(ts) : 0;
  return [...schedules].map((s) => scheduleView(s, at)).sort(worstFirst);
};

export const createReplay = ({ api, feed, serverReplay }: { api: Api; feed: Feed; serverReplay: () => boolean }) => {
  const cursor = signal(0);
  const lastSeq = signal(0);
  const snapshot = signal<Snapshot | null>(null);
  const event = signal<Envelope | null>(null);
  const error = signal<string | null>(null);
  const loading = signal(false);

  // Client-side fold: the events read so far and a state every CHECKPOINT_EVERY events.
  const events: Envelope[] = [];
  const checkpoints = new Map<number, State>([[0, initialState()]]);

  const readUpTo = async (seq: number) => {
    while (events.length < seq) {
      const page = await feed.page(events.length, 1000);
      if (page.events.length === 0) break;
      for (const e of page.events) if (e.seq === events.length + 1) events.push(e);
    }
  };

  const foldTo = async (seq: number): Promise<State> => {
    await readUpTo(seq);
    const from = Math.floor(seq / CHECKPOINT_EVERY) * CHECKPOINT_EVERY;
    let base = from;
    while (!checkpoints.has(base)) base -= CHECKPOINT_EVERY;
    let state = checkpoints.get(base)!;
    for (let s = base + 1; s <= seq && s <= events.length; s++) {
      state = evolve(state, events[s - 1]!);
      if (s % CHECKPOINT_EVERY === 0) checkpoints.set(s, state);
    }
    return state;
  };

  const fromServer = async (query: string): Promise<Snapshot> => {
    const answer = await api.get<ReplayAnswer>(`/api/replay?${query}`);
    const list = Array.isArray(answer.schedules) ? answer.schedules : Object.values(answer.schedules);
    const audit = Array.isArray(answer.audit) ? answer.audit : answer.audit.entries;
    return { seq: answer.asOf.seq, ts: answer.asOf.ts, schedules: viewsAt(list, answer.asOf.ts), audit };
  };

  const fromClient = async (seq: number): Promise<Snapshot> => {
    const state = await foldTo(seq);
    const ts = state.lastEvent?.ts ?? null;
    return { seq: state.seq, ts, schedules: viewsAt(Object.values(state.schedules), ts), audit: state.audit };
  };

  const eventAt = async (seq: number): Promise<Envelope | null> => {
    if (seq < 1) return null;
    if (events[seq - 1]) return events[seq - 1]!;
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
    return show(() => (serverReplay() ? fromServer(`seq=${target}`) : fromClient(target)));
  };

  // The last event at or before a time: ts never decreases along seq, so this is well defined.
  const goToTime = (iso: string) =>
    show(async () => {
      if (serverReplay()) return fromServer(`at=${encodeURIComponent(iso)}`);
      await readUpTo(lastSeq.value);
      const at = Date.parse(iso);
      let seq = 0;
      for (const e of events) {
        if (Date.parse(e.ts) > at) break;
        seq = e.seq;
      }
      return fromClient(seq);
    });

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
