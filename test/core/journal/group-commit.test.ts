import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Envelope } from '../../../src/core/domain/events.ts';
import { FileJournal } from '../../../src/core/journal/file-journal.ts';
import { type JournalFs, nodeJournalFs } from '../../../src/core/journal/journal-fs.ts';
import { verifyJournal } from '../../../src/core/journal/verify.ts';
import { draft, range, seqs } from './drafts.ts';

interface HeldSync {
  release(): void;
  fail(error: Error): void;
}

// The real file operations, except that each fdatasync waits until the test lets it finish
// (or fail), and the bytes each finished fdatasync made durable are recorded.
const gatedFs = () => {
  const held: HeldSync[] = [];
  const waiting: ((sync: HeldSync) => void)[] = [];
  const synced = { bytes: 0, count: 0 };
  const io: JournalFs = {
    ...nodeJournalFs,
    fdatasync: (fd) =>
      new Promise<void>((resolve, reject) => {
        const sync: HeldSync = {
          release: () => {
            nodeJournalFs.fdatasync(fd).then(() => {
              synced.bytes = fs.fstatSync(fd).size;
              synced.count += 1;
              resolve();
            }, reject);
          },
          fail: reject,
        };
        const waiter = waiting.shift();
        if (waiter) waiter(sync);
        else held.push(sync);
      }),
  };
  const nextSync = () => new Promise<HeldSync>((resolve) => (held.length > 0 ? resolve(held.shift()!) : waiting.push(resolve)));
  return { io, synced, nextSync };
};

const lineEnds = (file: string): number[] => {
  const bytes = fs.readFileSync(file);
  const ends: number[] = [];
  for (let nl = bytes.indexOf(10); nl >= 0; nl = bytes.indexOf(10, nl + 1)) ends.push(nl + 1);
  return ends;
};

describe('group commit in the file journal', () => {
  const dirs: string[] = [];
  const fresh = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-group-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });

  it('acknowledges each of many racing appends only once an fdatasync covered its line, sharing fdatasyncs', async () => {
    const dir = fresh();
    const disk = gatedFs();
    const { journal } = await FileJournal.open({ dir, fs: disk.io });
    const durableWhenAcked = new Map<number, number>();
    const appends = range(1, 300).map((i) =>
      journal.append([draft(`tenant-${i % 9}`)]).then(([e]) => {
        durableWhenAcked.set(e!.seq, disk.synced.bytes);
        return e!;
      }),
    );
    let settled = false;
    const all = Promise.all(appends).finally(() => (settled = true));
    while (!settled) {
      const sync = await Promise.race([disk.nextSync(), all.then(() => null)]);
      sync?.release();
    }
    const events: Envelope[] = await all;

    expect(seqs(events)).toEqual(range(1, 300));
    const ends = lineEnds(path.join(dir, '000001.jsonl'));
    for (const e of events) expect(durableWhenAcked.get(e.seq)).toBeGreaterThanOrEqual(ends[e.seq - 1]!);
    expect(disk.synced.count).toBeLessThan(300);
    await journal.close();
    expect(await verifyJournal(dir)).toMatchObject({ ok: true, lastSeq: 300 });
  });

  it('gives the appends queued behind a failed write the seqs it left free, with an unbroken chain', async () => {
    const dir = fresh();
    const disk = gatedFs();
    const { journal } = await FileJournal.open({ dir, fs: disk.io });
    const first = journal.append([draft('first')]);
    (await disk.nextSync()).release();
    expect(seqs(await first)).toEqual([1]);

    // a first wave is on its way to disk when a second arrives and is encoded behind it
    const firstWave = range(1, 100).map(() => journal.append([draft('first-wave')]));
    const held = await disk.nextSync();
    const secondWave = range(1, 100).map(() => journal.append([draft('second-wave')]));
    for (let turn = 0; turn < 10; turn++) await new Promise<void>((resolve) => setImmediate(resolve));
    held.fail(Object.assign(new Error('EIO: injected failure'), { code: 'EIO' }));
    const outcomes = Promise.allSettled([...firstWave, ...secondWave]);
    let done = false;
    void outcomes.then(() => (done = true));
    while (!done) {
      const sync = await Promise.race([disk.nextSync(), outcomes.then(() => null)]);
      sync?.release();
    }
    const results = await outcomes;

    const failed = results.filter((r) => r.status === 'rejected');
    const kept = results.flatMap((r) => (r.status === 'fulfilled' ? r.value : []));
    expect(failed.length).toBeGreaterThan(0);
    expect(results.slice(100).every((r) => r.status === 'fulfilled')).toBe(true);
    expect(failed.length + kept.length).toBe(200);
    // the failed group took no seqs: the rest follow seq 1 without a gap
    expect(seqs(kept)).toEqual(range(2, kept.length + 1));
    expect(journal.lastSeq).toBe(kept.length + 1);
    await journal.close();

    expect(await verifyJournal(dir)).toMatchObject({ ok: true, lastSeq: kept.length + 1 });
    const reopened = await FileJournal.open({ dir });
    expect(seqs(await reopened.journal.read({ after: 0, limit: 1000 }))).toEqual(range(1, kept.length + 1));
    await reopened.journal.close();
  });
});
