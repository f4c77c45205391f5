import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Envelope } from '../../../src/core/domain/events.ts';
import { FileJournal } from '../../../src/core/journal/file-journal.ts';
import { verifyJournal } from '../../../src/core/journal/verify.ts';
import { prng, spawnFixture } from './child-process.ts';
import { range, seqs } from './drafts.ts';

// Random kill moments, reproducible: CC_CRASH_SEED=<seed> replays a failing run.
const SEED = Number(process.env.CC_CRASH_SEED ?? Date.now() % 1_000_000);
const ROUNDS = 10;
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

describe(`archival and pruning under SIGKILL (seed ${SEED})`, () => {
  it(`loses and repeats no event across ${ROUNDS} kills of a writer that archives and prunes while appending`, { timeout: 240_000 }, async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-archive-crash-'));
    dirs.push(root);
    const journalDir = path.join(root, 'journal');
    const archiveDir = path.join(root, 'archive');
    const random = prng(SEED);
    const acked = new Map<number, string>();
    // every event seen so far, by seq: what archival must never change
    const seen = new Map<number, Envelope>();
    let archivals = 0;
    let prunes = 0;
    for (let round = 1; round <= ROUNDS; round++) {
      const context = `seed ${SEED} round ${round}`;
      const fixture = spawnFixture('archive-appender.ts', [root]);
      await fixture.untilLines(1 + Math.floor(200 + random() * 4000));
      fixture.child.kill('SIGKILL');
      expect((await fixture.exited).signal, fixture.stderr()).toBe('SIGKILL');
      for (const line of fixture.lines()) {
        const [a, b] = line.split(' ');
        if (a === 'archived') archivals += 1;
        else if (a === 'pruned') prunes += 1;
        else if (a !== 'ready') acked.set(Number(a), b!);
      }

      // a start without a snapshot replays everything kept, across the archive boundary
      const replayed: Envelope[] = [];
      const logged: string[] = [];
      const { journal } = await FileJournal.open({ dir: journalDir, archiveDir, segmentBytes: 4096, onReplay: (e) => replayed.push(e), log: (m) => logged.push(m) });
      const first = journal.firstSeq;
      const events = await journal.read({ after: 0, limit: Number.MAX_SAFE_INTEGER });
      await journal.close();
      expect(seqs(events), context).toEqual(range(first, journal.lastSeq));
      expect(replayed, context).toEqual(events);
      expect(new Set(events.map((e) => e.id)).size, context).toBe(events.length);
      const lost = [...acked].filter(([seq, id]) => seq >= first && events[seq - first]?.id !== id);
      expect(lost, context).toEqual([]);
      const changed = events.filter((e) => seen.has(e.seq) && JSON.stringify(seen.get(e.seq)) !== JSON.stringify(e));
      expect(changed, context).toEqual([]);
      for (const e of events) seen.set(e.seq, e);
      // no half-done archival survives a restart
      expect(fs.readdirSync(archiveDir).filter((n) => n.endsWith('.tmp')), context).toEqual([]);
      const raw = new Set(fs.readdirSync(journalDir));
      const both = fs.readdirSync(archiveDir).filter((n) => n.endsWith('.archive') && raw.has(n.replace('.archive', '.jsonl')));
      expect(both, context).toEqual([]);
      const report = await verifyJournal(journalDir);
      expect(report, context).toMatchObject({ ok: true, firstSeq: first, lastSeq: journal.lastSeq });
      if (first > 1) expect(report.pruned?.throughSeq, context).toBe(first - 1);
    }
    expect(archivals, `seed ${SEED}`).toBeGreaterThan(ROUNDS);
    expect(prunes, `seed ${SEED}`).toBeGreaterThan(0);
  });
});
