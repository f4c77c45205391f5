import { describe, expect, it } from 'vitest';
import { ApiError } from '../../src/web/api.ts';
import { createStore } from '../../src/web/store.ts';
import { created, deleted, failed, FakeJournal, fakeApi, fakeFeed, FakeTimers, paused, resumed, settle, started, T0 } from './fakes.ts';

const POLL = 15_000;

const setup = (options: { lag?: Partial<Record<'runs' | 'audit' | 'schedules', number>> } = {}) => {
  const timers = new FakeTimers(T0);
  const journal = new FakeJournal(timers.now);
  const api = fakeApi(journal, timers.now, options.lag);
  const { feed, streams, open } = fakeFeed(api);
  const store = createStore({ api, feed, pollMs: POLL, timers });
  return { timers, journal, api, streams, open, store };
};

describe('store', () => {
  it('loads the state, then opens one stream after the loaded seq', async () => {
    const { journal, store, open } = setup();
    journal.append(created('acme-roofing'), created('bolt-roofing'));
    await store.start();
    expect(store.state.value.seq).toBe(2);
    expect(Object.keys(store.state.value.schedules).sort()).toEqual(['acme-roofing', 'bolt-roofing']);
    expect(open().map((s) => s.after)).toEqual([2]);
    expect(store.connection.value).toBe('connecting');
    open()[0]!.on.open();
    expect(store.connection.value).toBe('live');
  });

  it('applies streamed events in order with the domain evolve', async () => {
    const { journal, store, open } = setup();
    journal.append(created('acme-roofing'));
    await store.start();
    const [p, r] = journal.append(paused('acme-roofing', 'CRM maintenance'), resumed('acme-roofing'));
    open()[0]!.on.event(p!);
    expect(store.schedules.value[0]).toMatchObject({ tenant: 'acme-roofing', status: 'PAUSED', pause: { reason: 'CRM maintenance' } });
    open()[0]!.on.event(r!);
    expect(store.schedules.value[0]).toMatchObject({ status: 'OK', paused: false });
    expect(store.state.value.audit.map((a) => a.operation)).toEqual(['resumed', 'paused', 'created']);
    expect(store.summary.value.lastEvent).toMatchObject({ seq: 3, tenant: 'acme-roofing', operation: 'resumed' });
  });

  it('ignores an event it already has', async () => {
    const { journal, store, open } = setup();
    journal.append(created('acme-roofing'));
    await store.start();
    const [p] = journal.append(paused('acme-roofing'));
    const stream = open()[0]!;
    stream.on.event(p!);
    const after = store.state.value;
    stream.on.event(p!);
    stream.on.event(journal.events[0]!);
    expect(store.state.value).toBe(after);
    expect(store.state.value.audit).toHaveLength(2);
  });

  it('fetches the missing events instead of applying one past a gap', async () => {
    const { journal, store, open, api } = setup();
    journal.append(created('acme-roofing'));
    await store.start();
    const [, , third] = journal.append(paused('acme-roofing'), resumed('acme-roofing'), deleted('acme-roofing'));
    open()[0]!.on.event(third!);
    await settle();
    expect(api.calls).toContain('/api/events?after=1&limit=1000');
    expect(store.state.value.seq).toBe(4);
    expect(store.state.value.audit.map((a) => a.operation)).toEqual(['deleted', 'resumed', 'paused', 'created']);
    expect(store.schedules.value).toEqual([]);
  });

  it('falls back to polling when the stream fails, and returns to the stream when it opens', async () => {
    const { journal, store, open, api, timers } = setup();
    journal.append(created('acme-roofing'));
    await store.start();
    open()[0]!.on.open();
    open()[0]!.on.error();
    expect(store.connection.value).toBe('polling');
    await settle();
    expect(api.calls.filter((c) => c.startsWith('/api/events?after=1'))).toHaveLength(1);

    // the stream is retried with backoff and refused again; polling carries the data meanwhile
    await timers.advance(1000);
    expect(open()).toHaveLength(1);
    open()[0]!.on.error();
    journal.append(paused('acme-roofing', 'maintenance'));
    await timers.advance(POLL);
    expect(store.connection.value).toBe('polling');
    expect(store.schedules.value[0]?.status).toBe('PAUSED');

    // never more than one stream at a time
    expect(open()).toHaveLength(1);
    open()[0]!.on.open();
    expect(store.connection.value).toBe('live');
    const polls = api.calls.filter((c) => c.startsWith('/api/events')).length;
    await timers.advance(POLL * 3);
    expect(api.calls.filter((c) => c.startsWith('/api/events'))).toHaveLength(polls);
  });

  it('says the data is stale when polling fails as well', async () => {
    const { journal, store, open, timers } = setup();
    journal.append(created('acme-roofing'));
    await store.start();
    open()[0]!.on.open();
    await timers.advance(5000);
    journal.failing = new ApiError({ status: 0, detail: 'cannot reach the server' });
    open()[0]!.on.error();
    await settle();
    expect(store.connection.value).toBe('stale');
    // current until the stream broke, and not since
    expect(store.syncedAt.value).toBe(T0 + 5000);
    await timers.advance(POLL - 1);
    expect(store.syncedAt.value).toBe(T0 + 5000);
    journal.failing = null;
    await timers.advance(POLL);
    expect(store.connection.value).not.toBe('stale');
  });

  it('reloads its state and reopens the stream on reset', async () => {
    const { journal, store, open } = setup();
    journal.append(created('acme-roofing'), created('bolt-roofing'), paused('bolt-roofing'));
    await store.start();
    // the server's journal was replaced by a shorter one
    journal.events = [];
    journal.append(created('cedar-roofing'));
    open()[0]!.on.reset();
    await settle();
    expect(store.state.value.seq).toBe(1);
    expect(Object.keys(store.state.value.schedules)).toEqual(['cedar-roofing']);
    expect(open().map((s) => s.after)).toEqual([1]);
  });

  it('reloads when a poll finds the journal behind it', async () => {
    const { journal, store, open } = setup();
    journal.append(created('acme-roofing'), created('bolt-roofing'));
    await store.start();
    journal.events = [];
    journal.append(created('cedar-roofing'));
    open()[0]!.on.error();
    await settle();
    expect(Object.keys(store.state.value.schedules)).toEqual(['cedar-roofing']);
  });

  it('asks to sign in after a 401 instead of failing silently', async () => {
    const { journal, store, open } = setup();
    journal.failing = new ApiError({ status: 401, detail: 'sign in' });
    await store.start();
    expect(store.signedOut.value).toBe(true);
    expect(open()).toHaveLength(0);
  });

  it('brings the schedules forward when they were read before the latest events', async () => {
    const { journal, store, open } = setup({ lag: { schedules: 2 } });
    journal.append(created('acme-roofing'), created('bolt-roofing'), paused('bolt-roofing', 'maintenance'), deleted('acme-roofing'));
    await store.start();
    expect(store.state.value.seq).toBe(4);
    expect(store.schedules.value.map((v) => [v.tenant, v.status])).toEqual([['bolt-roofing', 'PAUSED']]);
    expect(open().map((s) => s.after)).toEqual([4]);
  });

  it('brings audit and runs forward to the seq of the schedules it loaded', async () => {
    const { journal, store } = setup({ lag: { runs: 2, audit: 1 } });
    journal.append(created('acme-roofing'), started('acme-roofing', 'r1', T0), failed('acme-roofing', 'r1'));
    await store.start();
    expect(store.state.value.audit.map((a) => a.seq)).toEqual([3, 2, 1]);
    expect(store.state.value.runs).toMatchObject([{ runId: 'r1', outcome: 'failed' }]);
    expect(store.schedules.value[0]?.status).toBe('ERROR');
  });

  it('replaces a stream that stays behind the server', async () => {
    const { journal, store, open } = setup();
    journal.append(created('acme-roofing'));
    await store.start();
    open()[0]!.on.open();
    journal.append(paused('acme-roofing'));
    store.noteServerSeq(2);
    expect(store.connection.value).toBe('live');
    store.noteServerSeq(2);
    expect(store.connection.value).toBe('polling');
    expect(open()).toHaveLength(0);
    await settle();
    expect(store.state.value.seq).toBe(2);
  });

  it('computes staleness with the ticking clock', async () => {
    const { journal, store, timers } = setup();
    journal.append(created('acme-roofing', 60));
    await store.start();
    expect(store.summary.value).toMatchObject({ tenants: 1, ok: 1, stale: 0 });
    await timers.advance(181_000);
    expect(store.summary.value.stale).toBe(1);
    expect(store.schedules.value[0]?.stale).toBe(true);
  });
});
