import { type ChildProcess, fork } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { verifyPg } from '../../../src/core/pg/pg-transfer.ts';
import { holdsDatabase, pgReachable, TEST_DATABASE_URL, type TestDb, testDb } from './pg-test-db.ts';

const reachable = await pgReachable();
if (reachable) holdsDatabase({ beforeAll, afterAll });
const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures/append-child.ts');

interface Report {
  name: string;
  count: number;
  gapless: boolean;
  digest: string;
  failures: string[];
  lastSeq: number;
}

describe.skipIf(!reachable)('several processes appending to one PostgreSQL journal', () => {
  let db: TestDb;
  const children: ChildProcess[] = [];
  afterEach(async () => {
    for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
    await db.cleanup();
  });

  it('shows every reader in every process the identical gapless sequence (4 processes × 5,000 appends)', { timeout: 180_000 }, async () => {
    db = await testDb();
    const processes = 4;
    const perProcess = 5_000;
    const total = processes * perProcess;
    const started = Array.from({ length: processes }, (_, i) => {
      const child = fork(CHILD, [TEST_DATABASE_URL, db.schema, `p${i}`, String(perProcess), String(total), '32'], {
        execArgv: ['--import', 'tsx'],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      children.push(child);
      const ready = new Promise<void>((resolve, reject) => {
        child.once('message', () => resolve());
        child.once('exit', (code) => reject(new Error(`child p${i} exited with ${code} before it was ready`)));
      });
      const report = new Promise<Report>((resolve, reject) => {
        child.on('message', (m) => {
          if (typeof m === 'object') resolve(m as Report);
        });
        child.once('exit', (code) => reject(new Error(`child p${i} exited with ${code} before reporting`)));
      });
      return { child, ready, report };
    });
    await Promise.all(started.map((s) => s.ready));
    // all start appending at (nearly) the same moment
    for (const s of started) s.child.send('go');
    const reports = await Promise.all(started.map((s) => s.report));

    for (const r of reports) {
      expect(r.failures).toEqual([]);
      expect(r.count).toBe(total);
      expect(r.gapless).toBe(true);
      expect(r.lastSeq).toBe(total);
    }
    expect(new Set(reports.map((r) => r.digest)).size).toBe(1);
    const verified = await verifyPg(db.pool, db.names);
    expect(verified).toMatchObject({ ok: true, events: total });
    // every process's appends landed interleaved with the others', not one after another
    const { rows } = await db.pool.query<{ runs: number }>(
      `SELECT count(*)::int AS runs FROM (
         SELECT split_part(id, '-', 1) AS p, lag(split_part(id, '-', 1)) OVER (ORDER BY seq) AS prev FROM ${db.names.table('events')}
       ) t WHERE p IS DISTINCT FROM prev`,
    );
    expect(rows[0]!.runs).toBeGreaterThan(processes);
  });
});

if (!reachable) {
  describe('several processes appending to one PostgreSQL journal', () => {
    it.skip('needs PostgreSQL (see the warning above)', () => {});
  });
}
