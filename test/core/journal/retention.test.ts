import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/core/clock.ts';
import { type Envelope, SYSTEM_TENANT, type Unsequenced } from '../../../src/core/domain/events.ts';
import { readArchiveHeader } from '../../../src/core/journal/archive-format.ts';
import { exportJournal } from '../../../src/core/journal/export.ts';
import { FileJournal } from '../../../src/core/journal/file-journal.ts';
import { readChain } from '../../../src/core/journal/chain-reader.ts';
import { importIntoFileJournal } from '../../../src/core/journal/import-file.ts';
import { journalLines } from '../../../src/core/journal/journal-lines.ts';
import { Retention } from '../../../src/core/journal/retention.ts';
import { verifyJournal } from '../../../src/core/journal/verify.ts';
import { silentLogger } from '../../../src/core/logger.ts';
import { draft, iso, range, seqs } from './drafts.ts';

const DAY = 24 * 3600 * 1000;
const NOW = Date.parse('2027-06-01T00:00:00.000Z');

const dirs: string[] = [];
const journals: FileJournal[] = [];
afterEach(async () => {
  for (const j of journals.splice(0)) await j.close();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const setup = async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-retention-'));
  dirs.push(root);
  const journalDir = path.join(root, 'journal');
  const archiveDir = path.join(root, 'archive');
  const open = async (onReplay?: (e: Envelope) => void) => {
    const { journal } = await FileJournal.open({ dir: journalDir, archiveDir, segmentBytes: 4096, onReplay });
    journals.push(journal);
    return journal;
  };
  return { root, journalDir, archiveDir, open };
};

// One event an hour, the first `daysBack` days before NOW.
const history = (count: number, daysBack: number): Unsequenced[] =>
  range(1, count).map((i) => draft(`tenant-${i % 7}`, { ts: iso(NOW - daysBack * DAY + i * 3600 * 1000) }));

const retention = (journal: FileJournal, dirs: { journalDir: string; archiveDir: string }, over: Partial<ConstructorParameters<typeof Retention>[0]> = {}) =>
  new Retention({ journal, ...dirs, clock: new ManualClock(NOW), log: silentLogger, retentionDays: 90, ...over });

// 1,000 events an hour apart, from 150 days back: the older segments are due for archiving
const withHistory = async () => {
  const dirs = await setup();
  const journal = await dirs.open();
  for (const batch of chunk(history(1000, 150), 100)) await journal.append(batch);
  return { ...dirs, journal };
};

// the same, after one retention pass, closed
const archivedHistory = async () => {
  const h = await withHistory();
  const pass = await retention(h.journal, h).runOnce();
  await h.journal.close();
  return { ...h, pass };
};

const all = (journal: FileJournal) => journal.read({ after: 0, limit: Number.MAX_SAFE_INTEGER });

describe('retention', () => {
  it('archives sealed segments older than the retention period and reads, verifies and exports them as before', async () => {
    const { journalDir, archiveDir, open } = await setup();
    const journal = await open();
    for (const batch of chunk(history(3000, 150), 50)) await journal.append(batch);
    const before = await all(journal);
    const exportedBefore = await exported(journalDir);

    const pass = await retention(journal, { journalDir, archiveDir }).runOnce();

    expect(pass.archived.length).toBeGreaterThan(10);
    expect(fs.readdirSync(archiveDir).filter((n) => n.endsWith('.archive'))).toHaveLength(pass.archived.length);
    for (const name of pass.archived) expect(fs.existsSync(path.join(journalDir, name))).toBe(false);
    // the newest archived event is older than 90 days; the next segment's is not
    const sealed = journal.sealed();
    const youngest = sealed.filter((s) => s.archived).pop()!;
    expect(Date.parse(youngest.archived!.header.lastTs)).toBeLessThan(NOW - 90 * DAY);
    expect(await all(journal)).toEqual(before);
    expect(await journal.read({ after: 1234, limit: 3 })).toEqual(before.slice(1234, 1237));
    expect(await exported(journalDir)).toBe(exportedBefore);
    const report = await verifyJournal(journalDir);
    expect(report).toMatchObject({ ok: true, lastSeq: 3000, events: 3000, archived: pass.archived.length });
    const lines = [];
    for await (const l of journalLines(journalDir, 3000)) lines.push(l.seq);
    expect(lines).toEqual(range(1, 3000));
  });

  it('replays across the archive boundary on a start without a snapshot, then appends continuing the chain', async () => {
    const { journalDir, archiveDir, open } = await setup();
    const journal = await open();
    for (const batch of chunk(history(2000, 150), 100)) await journal.append(batch);
    const before = await all(journal);
    await retention(journal, { journalDir, archiveDir }).runOnce();
    await journal.close();

    const replayed: Envelope[] = [];
    const reopened = await open((e) => replayed.push(e));
    expect(replayed).toEqual(before);
    await reopened.append([draft('after-restart', { ts: iso(NOW) })]);
    expect(await verifyJournal(journalDir)).toMatchObject({ ok: true, lastSeq: 2001 });
  });

  it('keeps appending while a pass archives, losing and repeating nothing', async () => {
    const { journalDir, archiveDir, open } = await setup();
    const journal = await open();
    for (const batch of chunk(history(1500, 200), 100)) await journal.append(batch);
    const writes = Promise.all(range(1, 40).map((i) => journal.append(history(10, 100 - i))));
    const pass = retention(journal, { journalDir, archiveDir }).runOnce();
    await Promise.all([writes, pass]);
    const events = await all(journal);
    expect(seqs(events)).toEqual(range(1, 1900));
    expect(new Set(events.map((e) => e.id)).size).toBe(1900);
    expect((await pass).archived.length).toBeGreaterThan(0);
    expect(await verifyJournal(journalDir)).toMatchObject({ ok: true, lastSeq: 1900 });
  });

  it('finds a tampered archive: an edited event breaks its recorded hash', async () => {
    const { journalDir, archiveDir, pass } = await archivedHistory();
    const victim = path.join(archiveDir, pass.archived[1]!.replace('.jsonl', '.archive'));
    const text = fs.readFileSync(victim);
    const nl = text.indexOf(10);
    const header = JSON.parse(text.subarray(0, nl).toString()) as { lastHash: string };
    // a forged header claiming another end of the chain
    header.lastHash = 'f'.repeat(64);
    fs.writeFileSync(victim, Buffer.concat([Buffer.from(`${JSON.stringify(header)}\n`), text.subarray(nl + 1)]));
    const report = await verifyJournal(journalDir);
    expect(report.ok).toBe(false);
    expect(report.problem?.segment).toBe(path.basename(victim));
  });

  it('finds an archive cut short (its header describes more bytes than the file holds)', async () => {
    const { journalDir, archiveDir, pass } = await archivedHistory();
    const victim = path.join(archiveDir, pass.archived[1]!.replace('.jsonl', '.archive'));
    fs.truncateSync(victim, fs.statSync(victim).size - 1);
    await expect(readArchiveHeader(victim)).rejects.toThrow(/the header describes/);
    expect(await verifyJournal(journalDir)).toMatchObject({ ok: false, problem: { segment: path.basename(victim) } });
    // a start refuses it rather than serving a history with a hole
    await expect(FileJournal.open({ dir: journalDir, archiveDir, segmentBytes: 4096 })).rejects.toThrow(/header describes/);
  });

  it('refuses an import into a data directory whose history is archived (the raw journal looks empty)', async () => {
    const { journalDir, archiveDir } = await archivedHistory();
    for (const name of fs.readdirSync(journalDir)) fs.truncateSync(path.join(journalDir, name), 0);
    const archives = fs.readdirSync(archiveDir).sort();
    async function* nothing(): AsyncGenerator<never> {}
    await expect(importIntoFileJournal(journalDir, nothing())).rejects.toThrow(/is not empty/);
    expect(fs.readdirSync(archiveDir).sort()).toEqual(archives);
  });

  it('reads on when a segment is archived between the reader\'s listing and its read', async () => {
    const { root, journalDir, archiveDir, open } = await setup();
    const journal = await open();
    for (const batch of chunk(history(1000, 150), 100)) await journal.append(batch);
    const segment = fs.readdirSync(journalDir).sort()[3]!;
    const raw = fs.readFileSync(path.join(journalDir, segment));
    const pass = await retention(journal, { journalDir, archiveDir }).runOnce();
    await journal.close();
    expect(pass.archived).toContain(segment);
    // as the reader lists the chain, the segment is still raw; its archive is set aside
    const archive = segment.replace('.jsonl', '.archive');
    fs.renameSync(path.join(archiveDir, archive), path.join(root, archive));
    fs.writeFileSync(path.join(journalDir, segment), raw);
    const seen: number[] = [];
    await readChain(journalDir, { after: 0 }, (_json, seq) => {
      // ... and while it reads the first events, the archiver renames the archive into place
      // and deletes the raw segment
      if (seq === 1) {
        fs.renameSync(path.join(root, archive), path.join(archiveDir, archive));
        fs.rmSync(path.join(journalDir, segment));
      }
      seen.push(seq);
    });
    expect(seen).toEqual(range(1, 1000));
  });

  it('never archives a sealed segment that ends with a partial line, so those bytes are not lost with the raw file', async () => {
    const { journalDir, archiveDir, journal } = await withHistory();
    const victim = fs.readdirSync(journalDir).sort()[0]!;
    fs.appendFileSync(path.join(journalDir, victim), '{"hash":"');
    await expect(retention(journal, { journalDir, archiveDir }).runOnce()).rejects.toThrow(/not a complete line/);
    expect(fs.readdirSync(journalDir)).toContain(victim);
    expect(fs.readdirSync(archiveDir).filter((n) => n.endsWith('.archive') || n.endsWith('.tmp'))).toEqual([]);
  });

  it('refuses, in a replay read, an archive swapped in from another journal (consistent in itself)', async () => {
    // two journals with segments of the same seqs, different events
    const made = [];
    for (const tag of ['a', 'b']) {
      const dirs = await setup();
      const journal = await dirs.open();
      const events = range(1, 1000).map((i) => draft(`tenant-${i % 7}`, { id: `${tag}-${String(i).padStart(6, '0')}`, ts: iso(NOW - 150 * DAY + i * 3600 * 1000) }));
      for (const batch of chunk(events, 100)) await journal.append(batch);
      const pass = await retention(journal, dirs).runOnce();
      await journal.close();
      made.push({ ...dirs, archived: pass.archived });
    }
    const [a, b] = made as [(typeof made)[0], (typeof made)[0]];
    expect(a.archived.length).toBeGreaterThan(3);
    const name = a.archived[1]!.replace('.jsonl', '.archive');
    fs.copyFileSync(path.join(b.archiveDir, name), path.join(a.archiveDir, name));
    await expect(readChain(a.journalDir, { after: 0 }, () => {})).rejects.toThrow(/does not continue the chain/);
  });

  it('finds a missing archive in the middle of the chain', async () => {
    const { journalDir, archiveDir, journal } = await withHistory();
    const pass = await retention(journal, { journalDir, archiveDir }).runOnce();
    fs.rmSync(path.join(archiveDir, pass.archived[2]!.replace('.jsonl', '.archive')));
    const report = await verifyJournal(journalDir);
    expect(report).toMatchObject({ ok: false, problem: { segment: pass.archived[3]!.replace('.jsonl', '.archive') } });
  });

  it('prunes archives past the prune limit with a journal.pruned event that verify checks the kept chain against', async () => {
    const { journalDir, archiveDir, open } = await setup();
    const journal = await open();
    for (const batch of chunk(history(3000, 300), 100)) await journal.append(batch);
    const before = await all(journal);
    const recorded: Envelope[] = [];
    const keep = retention(journal, { journalDir, archiveDir }, {
      pruneDays: 200,
      recordPrune: async (data) => {
        recorded.push(...(await journal.append([{ id: 'prune-1', ts: iso(NOW), type: 'journal.pruned', tenant: SYSTEM_TENANT, source: 'scheduler', actor: 'retention', data }])));
      },
    });
    const pass = await keep.runOnce();

    const cut = pass.pruned!;
    expect(cut.fromSeq).toBe(1);
    expect(Date.parse(before[cut.toSeq - 1]!.ts)).toBeLessThan(NOW - 200 * DAY);
    expect(recorded).toHaveLength(1);
    expect(recorded[0]!.data).toEqual({ fromSeq: 1, toSeq: cut.toSeq, count: cut.toSeq, boundaryHash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(journal.firstSeq).toBe(cut.toSeq + 1);
    expect(seqs(await all(journal))).toEqual(range(cut.toSeq + 1, 3001));
    expect(await verifyJournal(journalDir)).toMatchObject({
      ok: true,
      firstSeq: cut.toSeq + 1,
      lastSeq: 3001,
      pruned: { throughSeq: cut.toSeq, recordedAt: 3001 },
    });

    // a start without a snapshot replays the kept chain from the boundary
    await journal.close();
    const replayed: Envelope[] = [];
    await open((e) => replayed.push(e));
    expect(seqs(replayed)).toEqual(range(cut.toSeq + 1, 3001));
  });

  it('refuses a pruned chain whose journal.pruned event is missing or names another boundary', async () => {
    const { journalDir, archiveDir, open } = await setup();
    const journal = await open();
    for (const batch of chunk(history(2000, 300), 100)) await journal.append(batch);
    const pass = await retention(journal, { journalDir, archiveDir }, {
      pruneDays: 200,
      recordPrune: async (data) => {
        await journal.append([{ id: 'prune-x', ts: iso(NOW), type: 'journal.pruned', tenant: SYSTEM_TENANT, source: 'scheduler', actor: 'retention', data: { ...data, boundaryHash: 'a'.repeat(64) } }]);
      },
    }).runOnce();
    expect(pass.pruned).toBeDefined();
    expect(await verifyJournal(journalDir)).toMatchObject({ ok: false, problem: { message: expect.stringMatching(/boundary hash/) } });

    // and a prune that recorded nothing at all
    const other = await setup();
    const second = await other.open();
    for (const batch of chunk(history(2000, 300), 100)) await second.append(batch);
    const silent = await retention(second, other, { pruneDays: 200, recordPrune: async () => {} }).runOnce();
    expect(silent.pruned).toBeDefined();
    expect(await verifyJournal(other.journalDir)).toMatchObject({ ok: false, problem: { message: expect.stringMatching(/are missing and no journal\.pruned event/) } });
  });
});

const chunk = <T>(items: T[], size: number): T[][] => range(0, Math.ceil(items.length / size) - 1).map((i) => items.slice(i * size, (i + 1) * size));

const exported = async (journalDir: string) => {
  let text = '';
  await exportJournal(journalDir, (c) => {
    text += c;
  });
  return text;
};
