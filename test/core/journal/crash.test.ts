import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Envelope } from '../../../src/core/domain/events.ts';
import { evolve, initialState } from '../../../src/core/domain/projection.ts';
import { FileJournal } from '../../../src/core/journal/file-journal.ts';
import type { Journal } from '../../../src/core/journal/journal.ts';
import { verifyJournal } from '../../../src/core/journal/verify.ts';
import type { Logger } from '../../../src/core/logger.ts';
import { openFileStore } from '../../../src/core/store/file-store.ts';
import { prng, spawnFixture } from './child-process.ts';
import { range, seqs } from './drafts.ts';

// Random kill moments, reproducible: CC_CRASH_SEED=<seed> replays a failing run.
const SEED = Number(process.env.CC_CRASH_SEED ?? Date.now() % 1_000_000);
const ROUNDS = 20;
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

// Starts the appender and SIGKILLs it at a random moment: sometimes by time (possibly while it
// is still opening and recovering), mostly after a random number of acknowledgements.
const crashRound = async (dir: string, mode: 'journal' | 'store', random: () => number) => {
  const fixture = spawnFixture('crash-appender.ts', [dir, mode]);
  if (random() < 0.25) {
    await new Promise((resolve) => setTimeout(resolve, 100 + random() * 600));
  } else {
    await fixture.untilLines(1 + Math.floor(random() * 400));
  }
  fixture.child.kill('SIGKILL');
  const exit = await fixture.exited;
  expect(exit.signal, fixture.stderr()).toBe('SIGKILL');
  const acked = new Map<number, string>();
  for (const line of fixture.lines()) {
    if (line === 'ready') continue;
    const [seq, id] = line.split(' ');
    acked.set(Number(seq), id!);
  }
  return { acked, ready: fixture.lines()[0] === 'ready' };
};

// Every acknowledged event is there, at its seq, once; seqs have no gaps.
const expectAllAcknowledged = async (journal: Journal, acked: Map<number, string>, context: string) => {
  const all: Envelope[] = await journal.read({ after: 0, limit: Number.MAX_SAFE_INTEGER });
  expect(seqs(all), context).toEqual(range(1, journal.lastSeq));
  expect(new Set(all.map((e) => e.id)).size, context).toBe(all.length);
  const missing = [...acked].filter(([seq, id]) => all[seq - 1]?.id !== id);
  expect(missing, context).toEqual([]);
  return all;
};

const logCollector = () => {
  const messages: string[] = [];
  const push = (m: string) => messages.push(m);
  const log: Logger = { debug: push, info: push, warn: push, error: push };
  return { log, messages };
};

describe(`crash recovery (seed ${SEED})`, () => {
  it(`keeps every acknowledged event, once and in order, across ${ROUNDS} SIGKILLs of a FileJournal writer`, { timeout: 180_000 }, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-crash-'));
    dirs.push(dir);
    const random = prng(SEED);
    const acked = new Map<number, string>();
    for (let round = 1; round <= ROUNDS; round++) {
      const result = await crashRound(dir, 'journal', random);
      for (const [seq, id] of result.acked) acked.set(seq, id);
      const logged: string[] = [];
      const { journal, truncatedBytes } = await FileJournal.open({ dir, segmentBytes: 16 * 1024, log: (m) => logged.push(m) });
      if (truncatedBytes > 0) expect(logged.join('\n')).toMatch(/truncated a torn last line/);
      await expectAllAcknowledged(journal, acked, `seed ${SEED} round ${round}`);
      await journal.close();
      const report = await verifyJournal(dir);
      expect(report, `seed ${SEED} round ${round}`).toMatchObject({ ok: true, lastSeq: journal.lastSeq });
    }
    expect(acked.size).toBeGreaterThan(ROUNDS * 50);
  });

  it('recovers through openFileStore after each SIGKILL, taking over the stale lock, with projections equal to a full replay', { timeout: 180_000 }, async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-crash-store-'));
    dirs.push(dataDir);
    const random = prng(SEED + 1);
    const acked = new Map<number, string>();
    for (let round = 1; round <= 10; round++) {
      const result = await crashRound(dataDir, 'store', random);
      for (const [seq, id] of result.acked) acked.set(seq, id);
      const context = `seed ${SEED} store round ${round}`;
      if (result.ready) expect(fs.existsSync(path.join(dataDir, '.lock')), context).toBe(true);
      const { log, messages } = logCollector();
      const store = await openFileStore({ dataDir, log, segmentBytes: 16 * 1024, snapshotEvery: 40 });
      if (result.ready) expect(messages, context).toContain('took over a stale lock');
      // a snapshot write the kill interrupted leaves no litter behind
      expect(fs.readdirSync(dataDir).filter((n) => n.endsWith('.tmp')), context).toEqual([]);
      const all = await expectAllAcknowledged(store.journal, acked, context);
      expect(store.projector.toState(), context).toEqual(all.reduce(evolve, initialState()));
      await store.close();
      expect(fs.existsSync(path.join(dataDir, '.lock')), context).toBe(false);
      expect(await verifyJournal(path.join(dataDir, 'journal')), context).toMatchObject({ ok: true });
    }
    expect(fs.existsSync(path.join(dataDir, 'snapshot.json'))).toBe(true);
  });
});
