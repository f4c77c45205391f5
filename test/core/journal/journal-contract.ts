import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Envelope } from '../../../src/core/domain/events.ts';
import type { Journal } from '../../../src/core/journal/journal.ts';
import { collector, created, draft, iso, range, seqs, T0 } from './drafts.ts';

export interface JournalHarness {
  journal: Journal;
  // closes the journal and opens it again on the same storage (durable implementations only)
  reopen?: () => Promise<Journal>;
  // closes whatever is open and removes the storage
  cleanup: () => Promise<void>;
}

// What every Journal must do, whatever stores it. Implementation-agnostic on purpose: the
// PostgreSQL store runs this same suite.
export const journalContract = (name: string, open: () => Promise<JournalHarness>) => {
  describe(`${name} (Journal contract)`, () => {
    let h: JournalHarness;
    let journal: Journal;

    beforeEach(async () => {
      h = await open();
      journal = h.journal;
    });
    afterEach(async () => {
      await h.cleanup();
    });

    it('starts empty', async () => {
      expect(journal.lastSeq).toBe(0);
      expect(journal.lastTs).toBeNull();
      expect(await journal.read({ after: 0, limit: 10 })).toEqual([]);
    });

    it('assigns gapless seq from 1 across batches and keeps every other field', async () => {
      const a = draft('acme-roofing');
      const b = created('beta-roofing');
      const first = await journal.append([a, b]);
      const second = await journal.append([draft('gamma')]);
      expect(seqs([...first, ...second])).toEqual([1, 2, 3]);
      expect(first[0]).toEqual({ ...a, seq: 1 });
      expect(first[1]).toEqual({ ...b, seq: 2 });
      expect(journal.lastSeq).toBe(3);
    });

    it('appends nothing for an empty batch', async () => {
      await journal.append([draft()]);
      expect(await journal.append([])).toEqual([]);
      expect(journal.lastSeq).toBe(1);
    });

    it('keeps ts monotonic along seq even when given a decreasing ts', async () => {
      const [e1] = await journal.append([draft('a', { ts: iso(T0 + 5000) })]);
      const [e2, e3] = await journal.append([draft('a', { ts: iso(T0 + 1000) }), draft('a', { ts: iso(T0) })]);
      const [e4] = await journal.append([draft('a', { ts: iso(T0 + 9000) })]);
      expect([e1!.ts, e2!.ts, e3!.ts, e4!.ts]).toEqual([iso(T0 + 5000), iso(T0 + 5000), iso(T0 + 5000), iso(T0 + 9000)]);
      expect(journal.lastTs).toBe(iso(T0 + 9000));
      const read = await journal.read({ after: 0, limit: 10 });
      expect(read.map((e) => e.ts)).toEqual([e1!.ts, e2!.ts, e3!.ts, e4!.ts]);
    });

    it('reads pages by after and limit in seq order, returning what append returned', async () => {
      const appended = await journal.append(range(1, 10).map((i) => draft(`t${i}`)));
      expect(await journal.read({ after: 0, limit: 100 })).toEqual(appended);
      expect(seqs(await journal.read({ after: 3, limit: 4 }))).toEqual([4, 5, 6, 7]);
      expect(seqs(await journal.read({ after: 9, limit: 4 }))).toEqual([10]);
      expect(await journal.read({ after: 10, limit: 4 })).toEqual([]);
      expect(await journal.read({ after: 50, limit: 4 })).toEqual([]);
    });

    it('filters reads by tenant and type, the limit counting matches only', async () => {
      const tenants = ['a', 'b', 'a', 'c', 'b', 'b', 'a', 'b'];
      await journal.append(tenants.map((t, i) => (i % 3 === 0 ? created(t) : draft(t))));
      expect(seqs(await journal.read({ after: 0, limit: 100, tenant: 'b' }))).toEqual([2, 5, 6, 8]);
      expect(seqs(await journal.read({ after: 0, limit: 2, tenant: 'b' }))).toEqual([2, 5]);
      expect(seqs(await journal.read({ after: 5, limit: 100, tenant: 'b' }))).toEqual([6, 8]);
      expect(seqs(await journal.read({ after: 0, limit: 100, type: 'schedule.created' }))).toEqual([1, 4, 7]);
      expect(seqs(await journal.read({ after: 0, limit: 100, tenant: 'a', type: 'schedule.paused' }))).toEqual([3]);
      expect(await journal.read({ after: 0, limit: 100, tenant: 'nobody' })).toEqual([]);
    });

    it('subscribe(after) delivers the history after it, then live events, each once and in order', async () => {
      await journal.append(range(1, 5).map(() => draft()));
      const c = collector();
      const sub = journal.subscribe(2, c.listener);
      await c.until(5);
      await journal.append([draft(), draft()]);
      await c.until(7);
      sub.close();
      expect(seqs(c.seen)).toEqual([3, 4, 5, 6, 7]);
    });

    it('subscribe(lastSeq) delivers only live events', async () => {
      await journal.append([draft(), draft()]);
      const c = collector();
      const sub = journal.subscribe(journal.lastSeq, c.listener);
      await journal.append([draft()]);
      await c.until(3);
      sub.close();
      expect(seqs(c.seen)).toEqual([3]);
    });

    it('has no gap and no duplicate between history and live when appends race the catch-up', async () => {
      await journal.append(range(1, 300).map(() => draft()));
      const racing: Promise<Envelope[]>[] = [];
      const collectors: ReturnType<typeof collector>[] = [];
      const subs = [];
      // Subscribers join at different points while many appends are in flight.
      for (let round = 0; round < 10; round++) {
        for (let i = 0; i < 20; i++) racing.push(journal.append([draft(`t${i}`), draft(`t${i}`)]));
        const c = collector();
        collectors.push(c);
        subs.push(journal.subscribe(round * 25, c.listener));
        if (round % 3 === 0) await racing[racing.length - 1];
      }
      await Promise.all(racing);
      const last = journal.lastSeq;
      expect(last).toBe(300 + 10 * 20 * 2);
      for (const [round, c] of collectors.entries()) {
        await c.until(last);
        expect(seqs(c.seen)).toEqual(range(round * 25 + 1, last));
      }
      for (const s of subs) s.close();
    });

    it('lands every event of many concurrent callers exactly once, each batch contiguous', async () => {
      const batches = range(1, 200).map((i) => range(1, 1 + (i % 3)).map((k) => draft(`caller-${i}`, { data: { reason: `${k}` } })));
      const results = await Promise.all(batches.map((b) => journal.append(b)));
      const total = batches.reduce((n, b) => n + b.length, 0);
      expect(journal.lastSeq).toBe(total);
      for (const [i, result] of results.entries()) {
        expect(result.map((e) => e.id)).toEqual(batches[i]!.map((d) => d.id));
        const first = result[0]!.seq;
        expect(seqs(result)).toEqual(range(first, first + result.length - 1));
      }
      const all = await journal.read({ after: 0, limit: 10_000 });
      expect(seqs(all)).toEqual(range(1, total));
      expect(new Set(all.map((e) => e.id)).size).toBe(total);
    });

    it('resolves an append only after live subscribers have seen its events', async () => {
      const c = collector();
      const sub = journal.subscribe(0, c.listener);
      const seenAtResolve = await Promise.all(
        range(1, 20).map((i) => journal.append([draft(`t${i}`)]).then((events) => ({ events, seen: new Set(seqs(c.seen)) }))),
      );
      for (const { events, seen } of seenAtResolve) expect(seen.has(events[0]!.seq)).toBe(true);
      sub.close();
    });

    it('stops delivering to a closed subscription', async () => {
      const c = collector();
      const sub = journal.subscribe(0, c.listener);
      await journal.append([draft()]);
      sub.close();
      await journal.append([draft()]);
      const d = collector();
      const other = journal.subscribe(journal.lastSeq - 1, d.listener);
      await d.until(2);
      other.close();
      expect(seqs(c.seen)).toEqual([1]);
    });

    it('finishes appends in flight on close, then refuses new ones', async () => {
      const inFlight = range(1, 10).map(() => journal.append([draft()]));
      await journal.close();
      const settled = await Promise.allSettled(inFlight);
      const landed = settled.filter((s) => s.status === 'fulfilled').length;
      expect(journal.lastSeq).toBe(landed);
      await expect(journal.append([draft()])).rejects.toThrow();
      expect(journal.lastSeq).toBe(landed);
    });

    it('keeps every acknowledged event across a reopen, and continues the seq', async (ctx) => {
      if (!h.reopen) return ctx.skip();
      const appended = await journal.append(range(1, 25).map((i) => draft(`t${i % 4}`, { ts: iso(T0 + i * 1000) })));
      journal = await h.reopen();
      expect(journal.lastSeq).toBe(25);
      expect(journal.lastTs).toBe(iso(T0 + 25_000));
      expect(await journal.read({ after: 0, limit: 100 })).toEqual(appended);
      const [next] = await journal.append([draft('t0', { ts: iso(T0) })]);
      expect(next!.seq).toBe(26);
      expect(next!.ts).toBe(iso(T0 + 25_000));
    });
  });
};
