import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { exportJournal } from '../../../src/core/journal/export.ts';
import { FileJournal } from '../../../src/core/journal/file-journal.ts';
import { importIntoFileJournal } from '../../../src/core/journal/import-file.ts';
import { journalLines } from '../../../src/core/journal/journal-lines.ts';
import { chainNdjson, copyIntoPg, exportPg, verifyPg } from '../../../src/core/pg/pg-transfer.ts';
import { created, draft, iso, range, T0 } from '../journal/drafts.ts';
import { holdsDatabase, pgReachable, type TestDb, testDb } from './pg-test-db.ts';

const reachable = await pgReachable();
if (reachable) holdsDatabase({ beforeAll, afterAll });

async function* each<T>(items: Iterable<T>): AsyncGenerator<T> {
  yield* items;
}

describe.skipIf(!reachable)('copying between the file journal and PostgreSQL', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  const db = async (): Promise<TestDb> => {
    const d = await testDb();
    cleanups.push(() => d.cleanup());
    return d;
  };

  const fileJournal = async (events: number, from = 0) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-transfer-'));
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    const { journal } = await FileJournal.open({ dir });
    // keys in an order jsonb would change (it sorts them by length), and non-ASCII text
    await journal.append(range(1, events).map((i) => (i % 3 === 0 ? created(`t${i}`, { data: { runner: 'demo', spec: { every: 60 } } } as never) : draft(`t${i}`, { ts: iso(T0 + from + i), data: { reason: `ünïcödé ${i} 1.50e3` } } as never))));
    return { dir, journal };
  };

  const exported = async (write: (sink: (chunk: string) => void) => Promise<unknown>) => {
    let text = '';
    await write((chunk) => void (text += chunk));
    return text;
  };

  it('copies a file journal into PostgreSQL, and running again copies only what is missing', async () => {
    const pg = await db();
    const { dir, journal } = await fileJournal(30);
    const first = await copyIntoPg(pg.pool, pg.names, journalLines(dir, journal.lastSeq));
    expect(first).toEqual({ copied: 30, present: 0, lastSeq: 30 });
    await journal.append(range(1, 10).map(() => draft('late')));
    const progress: number[] = [];
    const second = await copyIntoPg(pg.pool, pg.names, journalLines(dir, journal.lastSeq), (_n, seq) => progress.push(seq));
    expect(second).toEqual({ copied: 10, present: 30, lastSeq: 40 });
    expect(progress).toEqual([40]);
    expect(await verifyPg(pg.pool, pg.names)).toMatchObject({ ok: true, events: 40, lastHash: journal.position().hash });
    await journal.close();
    expect(await exported((w) => exportPg(pg.pool, pg.names, w))).toBe(await exported((w) => exportJournal(dir, w)));
  });

  it('refuses to copy into a database that holds a different history, copying nothing', async () => {
    const pg = await db();
    const { dir: other, journal: otherJournal } = await fileJournal(5, 1);
    await copyIntoPg(pg.pool, pg.names, journalLines(other, otherJournal.lastSeq));
    const { dir, journal } = await fileJournal(8);
    await expect(copyIntoPg(pg.pool, pg.names, journalLines(dir, journal.lastSeq))).rejects.toThrow(/disagree at or before seq 5/);
    expect((await verifyPg(pg.pool, pg.names)).lastSeq).toBe(5);
    await otherJournal.close();
    await journal.close();
  });

  it('round-trips export and import between the stores byte for byte', async () => {
    const pg = await db();
    const { dir, journal } = await fileJournal(25);
    await journal.close();
    const original = await exported((w) => exportJournal(dir, w));
    await copyIntoPg(pg.pool, pg.names, chainNdjson(each(original.trimEnd().split('\n'))));
    const fromPg = await exported((w) => exportPg(pg.pool, pg.names, w));
    expect(fromPg).toBe(original);
    const target = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-import-'));
    cleanups.push(() => fs.rmSync(target, { recursive: true, force: true }));
    const journalDir = path.join(target, 'journal');
    expect(await importIntoFileJournal(journalDir, chainNdjson(each(fromPg.trimEnd().split('\n'))))).toBe(25);
    expect(await exported((w) => exportJournal(journalDir, w))).toBe(original);
    const reopened = await FileJournal.open({ dir: journalDir });
    expect(reopened.journal.lastSeq).toBe(25);
    await reopened.journal.close();
  });

  it('refuses input that is not the next event, naming the line', async () => {
    const good = JSON.stringify({ ...draft('a'), seq: 1 });
    const skipped = JSON.stringify({ ...draft('a'), seq: 3 });
    const drain = async (lines: string[]) => {
      for await (const _ of chainNdjson(each(lines)));
    };
    await expect(drain([good, skipped])).rejects.toThrow('input line 2 has seq 3, expected 2');
    await expect(drain([good, '{"seq":2,'])).rejects.toThrow('input line 2 is not JSON');
    await expect(drain([JSON.stringify({ ...draft('a'), seq: 1, type: 'schedule.exploded' })])).rejects.toThrow(/input line 1 is not an event/);
  });

  it('leaves the file journal empty when an import fails halfway', async () => {
    const target = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-import-'));
    cleanups.push(() => fs.rmSync(target, { recursive: true, force: true }));
    const journalDir = path.join(target, 'journal');
    const lines = [JSON.stringify({ ...draft('a'), seq: 1 }), 'not json'];
    await expect(importIntoFileJournal(journalDir, chainNdjson(each(lines)))).rejects.toThrow(/line 2/);
    expect(fs.readdirSync(target)).toEqual([]);
  });

  it('verify names the first edited row', async () => {
    const pg = await db();
    const { dir, journal } = await fileJournal(6);
    await copyIntoPg(pg.pool, pg.names, journalLines(dir, journal.lastSeq));
    await journal.close();
    await pg.pool.query(`UPDATE ${pg.names.table('events')} SET body = replace(body, 't4', 't9') WHERE seq = 4`);
    expect(await verifyPg(pg.pool, pg.names)).toMatchObject({ ok: false, events: 3, problem: { seq: 4 } });
  });
});

if (!reachable) {
  describe('copying between the file journal and PostgreSQL', () => {
    it.skip('needs PostgreSQL (see the warning above)', () => {});
  });
}
