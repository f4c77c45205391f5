import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Envelope } from '../../../src/core/domain/events.ts';
import { FileJournal, type FileJournalOptions } from '../../../src/core/journal/file-journal.ts';
import { listRawSegments } from '../../../src/core/journal/chain.ts';
import { chainHash, EVENT_OFFSET, GENESIS_HASH } from '../../../src/core/journal/line-codec.ts';
import { verifyJournal } from '../../../src/core/journal/verify.ts';
import { collector, draft, range, seqs } from './drafts.ts';
import { journalContract } from './journal-contract.ts';

const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'cc-journal-'));

const harness = (options: Partial<FileJournalOptions> = {}) => async () => {
  const dir = tempDir();
  let journal = (await FileJournal.open({ dir, ...options })).journal;
  return {
    journal,
    reopen: async () => {
      await journal.close();
      journal = (await FileJournal.open({ dir, ...options })).journal;
      return journal;
    },
    cleanup: async () => {
      await journal.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
};

journalContract('FileJournal', harness());
// Tiny segments and a tiny recent cache: every read goes to disk and crosses segments.
journalContract('FileJournal with 2 KB segments and a 3-event cache', harness({ segmentBytes: 2048, recentLimit: 3 }));

const lines = (dir: string, name: string) => fs.readFileSync(path.join(dir, name), 'utf8').split('\n').filter(Boolean);

describe('FileJournal', () => {
  const dirs: string[] = [];
  const open: FileJournal[] = [];
  const fresh = () => {
    const dir = tempDir();
    dirs.push(dir);
    return dir;
  };
  const openJournal = async (options: FileJournalOptions) => {
    const result = await FileJournal.open(options);
    open.push(result.journal);
    return result;
  };
  afterEach(async () => {
    for (const j of open.splice(0)) await j.close();
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });

  const fill = async (journal: FileJournal, count: number, batch = 1): Promise<Envelope[]> => {
    const out: Envelope[] = [];
    for (let i = 0; i < count; i += batch) {
      out.push(...(await journal.append(range(1, Math.min(batch, count - i)).map((k) => draft(`tenant-${(i + k) % 7}`)))));
    }
    return out;
  };

  it('starts a new segment past segmentBytes and reads across segments', async () => {
    const dir = fresh();
    const { journal } = await openJournal({ dir, segmentBytes: 1024 });
    const appended = await fill(journal, 60, 3);
    const names = await listRawSegments(dir);
    expect(names.length).toBeGreaterThan(5);
    expect(names[0]).toBe('000001.jsonl');
    for (const name of names.slice(0, -1)) {
      // a segment passes the limit only when a single batch alone is larger
      expect(fs.statSync(path.join(dir, name)).size).toBeLessThanOrEqual(1024);
    }
    expect(await journal.read({ after: 0, limit: 1000 })).toEqual(appended);
    expect(seqs(await journal.read({ after: 17, limit: 20 }))).toEqual(range(18, 37));
    expect(seqs(await journal.read({ after: 0, limit: 1000, tenant: 'tenant-3' }))).toEqual(
      appended.filter((e) => e.tenant === 'tenant-3').map((e) => e.seq),
    );
  });

  it('chains the hash across segment boundaries, from the genesis hash', async () => {
    const dir = fresh();
    const { journal } = await openJournal({ dir, segmentBytes: 1024 });
    await fill(journal, 40);
    await journal.close();
    const names = await listRawSegments(dir);
    expect(names.length).toBeGreaterThan(2);
    let previous = GENESIS_HASH;
    let seq = 0;
    for (const name of names) {
      for (const line of lines(dir, name)) {
        const eventJson = line.slice(EVENT_OFFSET, -1);
        expect(line.slice(9, 73)).toBe(chainHash(previous, eventJson));
        expect(JSON.parse(eventJson).seq).toBe(++seq);
        previous = line.slice(9, 73);
      }
    }
    const report = await verifyJournal(dir);
    expect(report).toMatchObject({ ok: true, events: 40, lastSeq: 40, lastHash: previous, segments: names.length });
  });

  it('reads old events after a restart, far beyond the in-memory cache', async () => {
    const dir = fresh();
    const first = await openJournal({ dir, segmentBytes: 4096 });
    const appended = await fill(first.journal, 1200, 7);
    await first.journal.close();
    const { journal, replayed } = await openJournal({ dir, segmentBytes: 4096, recentLimit: 5 });
    expect(replayed).toBe(1200);
    expect(await journal.read({ after: 0, limit: 5000 })).toEqual(appended);
    for (const after of [0, 1, 511, 512, 513, 700, 1023, 1024, 1190, 1199]) {
      expect(seqs(await journal.read({ after, limit: 3 }))).toEqual(range(after + 1, Math.min(after + 3, 1200)));
    }
    expect(seqs(await journal.read({ after: 100, limit: 5, tenant: 'tenant-2' }))).toEqual(
      appended.filter((e) => e.seq > 100 && e.tenant === 'tenant-2').slice(0, 5).map((e) => e.seq),
    );
  });

  it('reads without gaps while appends trim the cache during a read from disk', async () => {
    const dir = fresh();
    const first = await openJournal({ dir, segmentBytes: 8192 });
    await fill(first.journal, 3000, 50);
    await first.journal.close();
    const { journal } = await openJournal({ dir, segmentBytes: 8192, recentLimit: 10 });
    // The read yields to the event loop while it reads segments; the appends meanwhile push
    // the oldest cached events out.
    const reading = journal.read({ after: 0, limit: 10_000 });
    const appending = Promise.all(range(1, 100).map((i) => journal.append([draft(`late-${i}`)])));
    const [read] = await Promise.all([reading, appending]);
    const got = seqs(read);
    expect(got).toEqual(range(1, got.length));
    expect(got.length).toBeGreaterThanOrEqual(3000);
  });

  it('reads events with multi-byte characters back intact when a disk read chunk splits a character', async () => {
    // A pause reason made of 3-byte characters; the first event's padding moves the 1 MiB
    // chunk boundary of a disk read into the middle of one.
    const reason = '€'.repeat(3000);
    for (let pad = 0; pad < 3; pad++) {
      const dir = fresh();
      const first = await openJournal({ dir });
      const appended = [...(await first.journal.append([draft('pad', { data: { reason: 'x'.repeat(pad) } })]))];
      appended.push(...(await first.journal.append(range(1, 150).map(() => draft('acme', { data: { reason } })))));
      await first.journal.close();
      const bytes = fs.readFileSync(path.join(dir, '000001.jsonl'));
      if ((bytes[1 << 20]! & 0xc0) !== 0x80) continue; // the boundary fell between characters; shift it
      const { journal } = await openJournal({ dir, recentLimit: 2 });
      expect(await journal.read({ after: 0, limit: 1000 })).toEqual(appended);
      return;
    }
    throw new Error('could not place a chunk boundary inside a character');
  });

  it('resumes from a position whose segment was rotated afterwards, and reads everything', async () => {
    const dir = fresh();
    const first = await openJournal({ dir, segmentBytes: 2048 });
    const before = await fill(first.journal, 12);
    const position = first.journal.position();
    const after = await fill(first.journal, 60, 2);
    await first.journal.close();
    expect((await listRawSegments(dir)).indexOf(position.segment)).toBeLessThan((await listRawSegments(dir)).length - 2);

    const replayedEvents: Envelope[] = [];
    const second = await openJournal({ dir, segmentBytes: 2048, recentLimit: 2, resumeFrom: [position], onReplay: (e) => replayedEvents.push(e) });
    expect(second.resumedFrom).toBe(0);
    expect(seqs(replayedEvents)).toEqual(range(13, 72));
    expect(second.journal.lastSeq).toBe(72);
    expect(await second.journal.read({ after: 0, limit: 1000 })).toEqual([...before, ...after]);
    for (const a of [0, 5, 11, 12, 13, 40, 70]) expect(seqs(await second.journal.read({ after: a, limit: 2 }))).toEqual(range(a + 1, Math.min(a + 2, 72)));
    const [next] = await second.journal.append([draft()]);
    expect(next!.seq).toBe(73);
    await second.journal.close();
    expect(await verifyJournal(dir)).toMatchObject({ ok: true, lastSeq: 73 });
  });

  it('passes over a resume position that does not match the journal and replays from seq 1', async () => {
    const dir = fresh();
    const first = await openJournal({ dir });
    await fill(first.journal, 5);
    const position = { ...first.journal.position(), hash: 'f'.repeat(64) };
    await first.journal.close();
    const logged: string[] = [];
    const second = await openJournal({ dir, resumeFrom: [position], log: (m) => logged.push(m) });
    expect(second.resumedFrom).toBe(-1);
    expect(second.replayed).toBe(5);
    expect(logged.join('\n')).toMatch(/snapshot position does not match/);
  });

  it('gives a position that a later open accepts, also right after a torn tail in a freshly rotated segment', async () => {
    const dir = fresh();
    const first = await openJournal({ dir, segmentBytes: 1024 });
    const appended = await fill(first.journal, 20);
    await first.journal.close();
    // A crash right after rotating: the new segment holds only part of its first line.
    const names = await listRawSegments(dir);
    const next = `${String(names.length + 1).padStart(6, '0')}.jsonl`;
    const torn = '{"hash":"0123';
    fs.writeFileSync(path.join(dir, next), torn);
    const logged: string[] = [];
    const second = await openJournal({ dir, segmentBytes: 1024, log: (m) => logged.push(m) });
    expect(second.truncatedBytes).toBe(torn.length);
    expect(logged.join('\n')).toMatch(/truncated a torn last line/);
    expect(second.journal.lastSeq).toBe(20);
    expect(second.journal.lastTs).toBe(appended[19]!.ts);
    const position = second.journal.position();
    await second.journal.close();

    const third = await openJournal({ dir, segmentBytes: 1024, resumeFrom: [position] });
    expect(third.resumedFrom).toBe(0);
    expect(third.replayed).toBe(0);
    expect(await third.journal.read({ after: 0, limit: 100 })).toEqual(appended);
    const [e] = await third.journal.append([draft()]);
    expect(e!.seq).toBe(21);
    await third.journal.close();
    expect(await verifyJournal(dir)).toMatchObject({ ok: true, lastSeq: 21 });
  });

  it('publishes to a subscriber that joins while the journal is being replayed from disk', async () => {
    const dir = fresh();
    const first = await openJournal({ dir, segmentBytes: 4096 });
    await fill(first.journal, 2500, 100);
    await first.journal.close();
    const { journal } = await openJournal({ dir, segmentBytes: 4096, recentLimit: 4 });
    const c = collector();
    const sub = journal.subscribe(0, c.listener);
    await Promise.all(range(1, 50).map(() => journal.append([draft()])));
    await c.until(2550);
    sub.close();
    expect(seqs(c.seen)).toEqual(range(1, 2550));
  });

  it('records the journal format documented in DESIGN §4', async () => {
    const dir = fresh();
    const { journal } = await openJournal({ dir });
    const [e] = await journal.append([draft('acme-roofing')]);
    await journal.close();
    const [line] = lines(dir, '000001.jsonl');
    const parsed = JSON.parse(line!);
    expect(parsed.hash).toBe(chainHash(GENESIS_HASH, JSON.stringify(parsed.event)));
    expect(parsed.event).toEqual(e);
    expect(Object.keys(parsed.event)).toEqual(['seq', 'id', 'ts', 'type', 'tenant', 'source', 'actor', 'data']);
  });
});
