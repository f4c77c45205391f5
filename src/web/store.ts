import { batch, computed, signal } from '@preact/signals';
import type { Envelope } from '../core/domain/events.ts';
import { evolve, initialState, type State, summarize } from '../core/domain/projection.ts';
import { ApiError, type Api } from './api.ts';
import type { Feed, Stream } from './feed.ts';
import { loadState } from './load-state.ts';
import { createViewCache } from './views.ts';

// live: the stream is open. polling: the stream is down, polls keep the data current.
// stale: neither works, so the picture is as old as `syncedAt`.
export type Connection = 'connecting' | 'live' | 'polling' | 'stale';

export interface Timers {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realTimers: Timers = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as number),
};

export interface StoreOptions {
  api: Api;
  feed: Feed;
  // how often to poll while the stream is down: 15 s on the panel, 30 s on the dashboard
  pollMs: number;
  timers?: Timers;
  // When to publish applied events to the UI. Events are folded at once (so seq is always
  // exact); rendering is coalesced, e.g. to one animation frame. Default: at once.
  defer?: (publish: () => void) => void;
}

const RETRY_FIRST_MS = 1000;

export type Store = ReturnType<typeof createStore>;

export const createStore = ({ api, feed, pollMs, timers = realTimers, defer = (publish) => publish() }: StoreOptions) => {
  const state = signal<State>(initialState());
  const now = signal(timers.now());
  const connection = signal<Connection>('connecting');
  const syncedAt = signal<number | null>(null);
  const signedOut = signal(false);
  const loaded = signal(false);
  const failure = signal<string | null>(null);

  // The fold runs on this plain value; the signal gets it when the UI is ready to draw.
  let current = initialState();
  let publishPending = false;
  let stream: Stream | null = null;
  let streamTimer: unknown = null;
  let pollTimer: unknown = null;
  let tickTimer: unknown = null;
  let streamFailures = 0;
  let catchingUp: Promise<void> | null = null;
  let stopped = false;
  let generation = 0;
  let unseenServerSeq: number | null = null;
  const views = createViewCache();

  const publish = () => {
    if (publishPending) return;
    publishPending = true;
    defer(() => {
      publishPending = false;
      state.value = current;
    });
  };

  const markSynced = () => {
    syncedAt.value = timers.now();
  };

  // Applies one event unless it is one we have (duplicates come from resuming and polling).
  // Returns false on a gap, so the caller fetches what is missing instead.
  const apply = (e: Envelope): boolean => {
    if (e.seq <= current.seq) return true;
    if (e.seq !== current.seq + 1) return false;
    current = evolve(current, e);
    return true;
  };

  const applyAll = (events: readonly Envelope[]) => {
    for (const e of events) if (!apply(e)) break;
    publish();
  };

  const fail = (error: unknown) => {
    if (error instanceof ApiError && error.status === 401) signedOut.value = true;
  };

  // Pages through the journal from our seq to its end.
  const catchUp = (): Promise<void> =>
    (catchingUp ??= (async () => {
      try {
        for (;;) {
          const page = await feed.page(current.seq);
          if (page.lastSeq < current.seq) return void reload();
          applyAll(page.events);
          if (page.events.length === 0 || current.seq >= page.lastSeq) return;
        }
      } finally {
        catchingUp = null;
      }
    })());

  const closeStream = () => {
    stream?.close();
    stream = null;
    if (streamTimer !== null) timers.clearTimeout(streamTimer);
    streamTimer = null;
  };

  const stopPolling = () => {
    if (pollTimer !== null) timers.clearTimeout(pollTimer);
    pollTimer = null;
  };

  const openStream = () => {
    closeStream();
    if (stopped) return;
    const mine = generation;
    stream = feed.stream(current.seq, {
      open: () => {
        if (mine !== generation) return;
        streamFailures = 0;
        stopPolling();
        connection.value = 'live';
        markSynced();
      },
      event: (e) => {
        if (mine !== generation) return;
        if (!apply(e)) void catchUp().catch(fail);
        publish();
        markSynced();
      },
      reset: () => {
        if (mine === generation) void reload();
      },
      error: () => {
        if (mine === generation) streamDown();
      },
    });
  };

  // The stream failed: poll now and then every pollMs, and retry the stream with backoff
  // (1 s, 2 s, 4 s … up to pollMs) until it opens again.
  const streamDown = () => {
    stream = null;
    // an open stream kept the data current up to the moment it broke
    if (connection.value === 'live') markSynced();
    if (connection.value === 'live' || connection.value === 'connecting') connection.value = 'polling';
    if (pollTimer === null) void poll();
    const delay = Math.min(RETRY_FIRST_MS * 2 ** streamFailures, pollMs);
    streamFailures += 1;
    streamTimer = timers.setTimeout(() => {
      streamTimer = null;
      openStream();
    }, delay);
  };

  const poll = async () => {
    pollTimer = timers.setTimeout(() => {
      pollTimer = null;
      if (connection.value !== 'live') void poll();
    }, pollMs);
    try {
      await catchUp();
      if (connection.value !== 'live') connection.value = 'polling';
      markSynced();
    } catch (error) {
      fail(error);
      if (connection.value !== 'live') connection.value = 'stale';
    }
  };

  const tick = () => {
    now.value = timers.now();
    tickTimer = timers.setTimeout(tick, 1000 - (now.value % 1000) || 1000);
  };

  const start = async () => {
    stopped = false;
    if (tickTimer === null) tick();
    const mine = ++generation;
    connection.value = 'connecting';
    try {
      const fresh = await loadState(api, feed);
      if (mine !== generation) return;
      current = fresh;
      views.clear();
      batch(() => {
        state.value = current;
        loaded.value = true;
        failure.value = null;
        signedOut.value = false;
      });
      markSynced();
      openStream();
    } catch (error) {
      if (mine !== generation) return;
      fail(error);
      failure.value = (error as Error).message;
      connection.value = 'stale';
      // try again like a dropped stream would: the server may be starting
      if (!signedOut.value) streamTimer = timers.setTimeout(() => void start(), pollMs);
    }
  };

  const reload = () => {
    closeStream();
    stopPolling();
    streamFailures = 0;
    return start();
  };

  const stop = () => {
    stopped = true;
    generation += 1;
    closeStream();
    stopPolling();
    if (tickTimer !== null) timers.clearTimeout(tickTimer);
    tickTimer = null;
  };

  // The health check reports the journal's seq. An open stream that still lacks a seq the
  // server had one check earlier is stuck (a proxy holding it, a half-open socket): replace it.
  const noteServerSeq = (seq: number) => {
    if (connection.value !== 'live') return;
    if (unseenServerSeq !== null && current.seq < unseenServerSeq) {
      unseenServerSeq = null;
      closeStream();
      streamDown();
      return;
    }
    unseenServerSeq = seq > current.seq ? seq : null;
  };

  const schedules = computed(() => views.views(Object.values(state.value.schedules), now.value));
  const summary = computed(() =>
    summarize(Object.values(state.value.schedules), state.value.seq, state.value.lastEvent, now.value),
  );

  return {
    state,
    now,
    connection,
    syncedAt,
    signedOut,
    loaded,
    failure,
    schedules,
    summary,
    start,
    stop,
    reload,
    // After a change of ours, fetch it at once if the stream is not there to bring it.
    refresh: () => (connection.value === 'live' ? Promise.resolve() : catchUp().catch(fail)),
    noteError: fail,
    noteServerSeq,
  };
};
