import { describe, expect, it, vi } from 'vitest';
import type { Unsequenced } from '../../src/core/domain/events.ts';
import { frameReader, makeApp, T0 } from './harness.ts';

const draft = (i: number): Unsequenced => ({
  id: `e${i}`,
  ts: new Date(T0 + i).toISOString(),
  type: 'schedule.resumed',
  tenant: 'acme',
  source: 'api',
  actor: 'operator',
  data: {},
});

const seqsOf = (frames: string[]) => frames.map((f) => Number(/^id: (\d+)$/m.exec(f)?.[1]));

// Counts the journal subscriptions that are open, so a test can see none are left behind.
const countSubscriptions = (journal: { subscribe: (...args: any[]) => { close(): void } }) => {
  let open = 0;
  const subscribe = journal.subscribe.bind(journal);
  journal.subscribe = (...args: any[]) => {
    const s = subscribe(...args);
    open += 1;
    let closed = false;
    return {
      close() {
        if (!closed) open -= 1;
        closed = true;
        s.close();
      },
    };
  };
  return () => open;
};

describe('GET /api/events/stream', () => {
  it('sends retry once, then each event as id, event and data, with the stream headers', async () => {
    const h = makeApp();
    await h.store.journal.append([draft(1), draft(2)]);
    const res = await h.request('GET', '/api/events/stream?after=0', { as: 'viewer' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(res.headers.get('x-accel-buffering')).toBe('no');
    expect(res.headers.get('content-encoding')).toBeNull();
    const reader = frameReader(res.body!);
    const [retry, first, second] = await reader.next(3);
    expect(retry).toBe('retry: 2000\n\n');
    const [e1] = await h.store.journal.read({ after: 0, limit: 1 });
    expect(first).toBe(`id: 1\nevent: schedule.resumed\ndata: ${JSON.stringify(e1)}\n\n`);
    expect(seqsOf([second!])).toEqual([2]);
    await reader.cancel();
  });

  it('goes live from now without after or Last-Event-ID', async () => {
    const h = makeApp();
    await h.store.journal.append([draft(1)]);
    const res = await h.request('GET', '/api/events/stream', { as: 'viewer' });
    const reader = frameReader(res.body!);
    await reader.next(1);
    await h.store.journal.append([draft(2), draft(3)]);
    expect(seqsOf(await reader.next(2))).toEqual([2, 3]);
    await reader.cancel();
  });

  it('resumes from Last-Event-ID, which wins over ?after=', async () => {
    const h = makeApp();
    await h.store.journal.append([1, 2, 3, 4].map(draft));
    const res = await h.request('GET', '/api/events/stream?after=1', { as: 'viewer', headers: { 'last-event-id': '3' } });
    const reader = frameReader(res.body!);
    const frames = await reader.next(2);
    expect(seqsOf(frames.slice(1))).toEqual([4]);
    await reader.cancel();
  });

  it('joins history and live with no gap and no duplicate while events keep coming', async () => {
    const h = makeApp();
    await h.store.journal.append(Array.from({ length: 1500 }, (_, i) => draft(i + 1)));
    const res = await h.request('GET', '/api/events/stream?after=10', { as: 'viewer' });
    // appended while the stream is still replaying history
    const appending = (async () => {
      for (let i = 1501; i <= 2000; i += 50) await h.store.journal.append(Array.from({ length: 50 }, (_, k) => draft(i + k)));
    })();
    const reader = frameReader(res.body!);
    const frames = await reader.next(1 + 1990);
    await appending;
    expect(seqsOf(frames.slice(1))).toEqual(Array.from({ length: 1990 }, (_, i) => i + 11));
    await reader.cancel();
  });

  it('tells a client that is ahead of the journal to reset, and moves its id to the journal', async () => {
    const h = makeApp();
    await h.store.journal.append([draft(1)]);
    const res = await h.request('GET', '/api/events/stream?after=99', { as: 'viewer' });
    const reader = frameReader(res.body!);
    const [, reset] = await reader.next(2);
    expect(reset).toBe('id: 1\nevent: reset\ndata: {"lastSeq":1}\n\n');
    await h.store.journal.append([draft(2)]);
    expect(seqsOf(await reader.next(1))).toEqual([2]);
    await reader.cancel();
  });

  it('sends a heartbeat comment on the interval', async () => {
    const h = makeApp({ sse: { heartbeatMs: 20 } });
    const res = await h.request('GET', '/api/events/stream', { as: 'viewer' });
    const reader = frameReader(res.body!);
    expect(await reader.next(2)).toEqual(['retry: 2000\n\n', ': heartbeat\n\n']);
    await reader.cancel();
  });

  it('cuts off a client that stops reading, without holding up the writer or a client that reads', async () => {
    const h = makeApp({ sse: { maxBufferedBytes: 4096 } });
    const slow = await h.request('GET', '/api/events/stream', { as: 'viewer' });
    const fast = await h.request('GET', '/api/events/stream', { as: 'viewer' });
    const fastReader = frameReader(fast.body!);
    await fastReader.next(1);
    expect(h.streams.size).toBe(2);
    for (let i = 1; i <= 200; i += 10) {
      await h.store.journal.append(Array.from({ length: 10 }, (_, k) => draft(i + k)));
      expect(seqsOf(await fastReader.next(10))).toEqual(Array.from({ length: 10 }, (_, k) => i + k));
    }
    expect(h.streams.size).toBe(1);
    await expect(slow.body!.getReader().read()).rejects.toThrow(/too far behind/);
    await fastReader.cancel();
  });

  it('releases its journal subscription and heartbeat timer when the last client leaves', async () => {
    const h = makeApp({ sse: { heartbeatMs: 10_000 } });
    const open = countSubscriptions(h.store.journal as any);
    // counts intervals set and not yet cleared (unref'd ones are invisible to getActiveResourcesInfo)
    const live = new Set<unknown>();
    const set = vi.spyOn(globalThis, 'setInterval').mockImplementation(((fn: () => void, ms: number) => {
      const handle = { unref: () => handle, ref: () => handle, fn, ms };
      live.add(handle);
      return handle;
    }) as never);
    const clear = vi.spyOn(globalThis, 'clearInterval').mockImplementation(((handle: unknown) => void live.delete(handle)) as never);
    const timers = () => live.size;
    const before = timers();
    const readers = [];
    for (let i = 0; i < 3; i++) {
      const reader = frameReader((await h.request('GET', '/api/events/stream', { as: 'viewer' })).body!);
      await reader.next(1);
      readers.push(reader);
    }
    expect(open()).toBe(1);
    expect(timers()).toBe(before + 1);
    for (const reader of readers) await reader.cancel();
    expect(h.streams.size).toBe(0);
    expect(open()).toBe(0);
    expect(timers()).toBe(before);
    set.mockRestore();
    clear.mockRestore();
  });

  it('ends every stream cleanly on shutdown', async () => {
    const h = makeApp();
    const reader = frameReader((await h.request('GET', '/api/events/stream', { as: 'viewer' })).body!);
    await reader.next(1);
    h.streams.closeAll();
    expect(await reader.ended()).toBe(true);
    expect(h.streams.size).toBe(0);
  });
});
