import type { AuditEntry } from '../../src/core/domain/audit.ts';
import type { Envelope } from '../../src/core/domain/events.ts';
import { evolve, initialState, scheduleView, type State } from '../../src/core/domain/projection.ts';
import { ApiError, type Api } from '../../src/web/api.ts';
import type { EventPage, Feed, StreamHandlers } from '../../src/web/feed.ts';
import type { Timers } from '../../src/web/store.ts';

export const T0 = Date.parse('2026-11-25T08:00:00.000Z');
export const iso = (ms: number) => new Date(ms).toISOString();

type Body = Envelope extends infer E ? (E extends Envelope ? Omit<E, 'seq' | 'id' | 'ts' | 'source' | 'actor'> : never) : never;

// A journal in memory, with the read answers the real server would give.
export class FakeJournal {
  events: Envelope[] = [];
  failing: ApiError | null = null;
  constructor(private clock: () => number) {}

  append(...bodies: Body[]): Envelope[] {
    const added = bodies.map(
      (b, i) =>
        ({
          ...b,
          seq: this.events.length + i + 1,
          id: `e${this.events.length + i + 1}`,
          ts: iso(this.clock()),
          source: 'api',
          actor: 'operator',
        }) as Envelope,
    );
    this.events.push(...added);
    return added;
  }

  stateAt(seq: number): State {
    return this.events.filter((e) => e.seq <= seq).reduce(evolve, initialState());
  }

  get lastSeq() {
    return this.events.length;
  }
}

export const created = (tenant: string, every = 180): Body => ({ type: 'schedule.created', tenant, data: { spec: { every }, runner: 'demo' } });
export const paused = (tenant: string, reason?: string): Body => ({ type: 'schedule.paused', tenant, data: reason ? { reason } : {} });
export const resumed = (tenant: string): Body => ({ type: 'schedule.resumed', tenant, data: {} });
export const deleted = (tenant: string): Body => ({ type: 'schedule.deleted', tenant, data: {} });
export const started = (tenant: string, runId: string, at: number): Body => ({
  type: 'run.started',
  tenant,
  data: { runId, trigger: 'scheduled', scheduledFor: iso(at), attempt: 1 },
});
export const failed = (tenant: string, runId: string): Body => ({
  type: 'run.failed',
  tenant,
  data: { runId, durationMs: 1200, error: 'refused', errorClass: 'auth', attempt: 1, willRetry: false },
});

// Answers GET requests the way the server does; `lag` makes chosen answers older than the journal.
export const fakeApi = (journal: FakeJournal, now: () => number, lag: Partial<Record<'runs' | 'audit' | 'schedules', number>> = {}): Api & { calls: string[] } => {
  const calls: string[] = [];
  const asOfAt = (seq: number) => ({ seq, ts: journal.events[seq - 1]?.ts ?? null });
  const answer = (path: string): unknown => {
    const url = new URL(path, 'http://x');
    const last = journal.lastSeq;
    switch (url.pathname) {
      case '/api/schedules': {
        const seq = last - (lag.schedules ?? 0);
        const s = journal.stateAt(seq);
        return { asOf: asOfAt(seq), schedules: Object.values(s.schedules).map((x) => scheduleView(x, now())) };
      }
      case '/api/audit': {
        const seq = last - (lag.audit ?? 0);
        return { asOf: asOfAt(seq), entries: journal.stateAt(seq).audit as AuditEntry[] };
      }
      case '/api/runs': {
        const seq = last - (lag.runs ?? 0);
        return { asOf: asOfAt(seq), runs: journal.stateAt(seq).runs };
      }
      case '/api/events': {
        const after = Number(url.searchParams.get('after') ?? 0);
        const limit = Number(url.searchParams.get('limit') ?? 100);
        return { events: journal.events.filter((e) => e.seq > after).slice(0, limit), lastSeq: last };
      }
      case '/api/replay': {
        const at = url.searchParams.get('at');
        let seq = Number(url.searchParams.get('seq') ?? 0);
        if (at !== null) seq = journal.events.filter((e) => e.ts <= new Date(at).toISOString()).length;
        const state = journal.stateAt(seq);
        return { asOf: asOfAt(seq), schedules: Object.values(state.schedules), audit: state.audit };
      }
      default:
        throw new ApiError({ status: 404, detail: `no route for GET ${url.pathname}` });
    }
  };
  return {
    base: '',
    calls,
    get: async <T>(path: string) => {
      calls.push(path);
      if (journal.failing) throw journal.failing;
      return answer(path) as T;
    },
    send: async () => {
      throw new Error('not used');
    },
    fetch: async () => {
      throw new Error('not used');
    },
  };
};

export interface FakeStream {
  after: number;
  on: StreamHandlers;
  closed: boolean;
}

// The store's data source, with the stream under the test's control.
export const fakeFeed = (api: Api) => {
  const streams: FakeStream[] = [];
  const feed: Feed = {
    stream(after, on) {
      // like the real feed, a stream that fails or resets has shut itself
      const s: FakeStream = {
        after,
        closed: false,
        on: {
          ...on,
          error: () => {
            s.closed = true;
            on.error();
          },
          reset: () => {
            s.closed = true;
            on.reset();
          },
        },
      };
      streams.push(s);
      return { close: () => void (s.closed = true) };
    },
    page: (after, limit = 1000) => api.get<EventPage>(`/api/events?after=${after}&limit=${limit}`),
  };
  return { feed, streams, open: () => streams.filter((s) => !s.closed) };
};

// Time moves only when the test says so; due timers then run in order.
export class FakeTimers implements Timers {
  private queue: { at: number; fn: () => void; id: number }[] = [];
  private nextId = 1;
  constructor(public ms: number) {}
  now = () => this.ms;
  setTimeout = (fn: () => void, ms: number) => {
    const id = this.nextId++;
    this.queue.push({ at: this.ms + ms, fn, id });
    return id;
  };
  clearTimeout = (handle: unknown) => {
    this.queue = this.queue.filter((t) => t.id !== handle);
  };
  async advance(ms: number) {
    const end = this.ms + ms;
    for (;;) {
      this.queue.sort((a, b) => a.at - b.at || a.id - b.id);
      const next = this.queue[0];
      if (!next || next.at > end) break;
      this.queue.shift();
      this.ms = next.at;
      next.fn();
      await settle();
    }
    this.ms = end;
    await settle();
  }
  pending() {
    return this.queue.length;
  }
}

// Lets the promise chains started by a callback run to their end.
export const settle = async () => {
  for (let i = 0; i < 20; i++) await Promise.resolve();
  await new Promise((resolve) => setImmediate(resolve));
};
