import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { exportJournal } from '../src/core/journal/export.ts';
import { verifyJournal } from '../src/core/journal/verify.ts';
import type { Logger } from '../src/core/logger.ts';
import { CheckpointStore } from '../src/core/projections/checkpoints.ts';
import { type ReplayPoint, replayTo } from '../src/core/projections/replay.ts';
import { openFileStore } from '../src/core/store/file-store.ts';
import { ManualClock } from '../src/core/clock.ts';
import { CommandService } from '../src/core/service.ts';
import { createApp } from '../src/http/app.ts';
import { recorded } from './fixtures/golden/make-golden.ts';

// The golden backups: data directories written by earlier builds (test/fixtures/golden/*),
// with the projections those builds recorded. Every later build must load, verify and replay
// them to the same projections — an upgrade never loses or reinterprets history.
const GOLDEN = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures/golden');
const fixtures = fs.readdirSync(GOLDEN).filter((n) => fs.existsSync(path.join(GOLDEN, n, 'expected.json')));

interface Recorded {
  seq: number;
  schedules: Record<string, unknown>;
  sha256: string;
}
interface Expected {
  firstSeq: number;
  lastSeq: number;
  lastHash: string;
  exportSha256: string;
  final: Recorded;
  points: (Recorded & { point: ReplayPoint })[];
}

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

// A copy: opening a data directory may tidy it, and the fixtures must never change.
const copyOf = (name: string) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `cc-golden-${name}-`));
  dirs.push(dir);
  fs.cpSync(path.join(GOLDEN, name, 'data'), dir, { recursive: true });
  return dir;
};

const messages = () => {
  const seen: { msg: string; fields?: Record<string, unknown> }[] = [];
  const push = (msg: string, fields?: Record<string, unknown>) => seen.push({ msg, fields });
  const log: Logger = { debug: push, info: push, warn: push, error: push };
  return { seen, log };
};

describe('golden data directories', () => {
  it('there is at least one, pruned ones included', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(2);
    expect(fixtures.some((n) => n.endsWith('-pruned'))).toBe(true);
  });

  for (const name of fixtures) {
    describe(name, () => {
      const expected = JSON.parse(fs.readFileSync(path.join(GOLDEN, name, 'expected.json'), 'utf8')) as Expected;

      it('verifies, with the recorded chain end, and exports the recorded events', async () => {
        const journalDir = path.join(copyOf(name), 'journal');
        expect(await verifyJournal(journalDir)).toMatchObject({ ok: true, firstSeq: expected.firstSeq, lastSeq: expected.lastSeq, lastHash: expected.lastHash });
        const hash = crypto.createHash('sha256');
        await exportJournal(journalDir, (c) => {
          hash.update(c);
        });
        expect(hash.digest('hex')).toBe(expected.exportSha256);
      });

      it('starts from its snapshot with the recorded projections, and replays to them without one', async () => {
        const dataDir = copyOf(name);
        const first = messages();
        const store = await openFileStore({ dataDir, log: first.log });
        expect(first.seen.find((m) => m.msg === 'journal opened')?.fields).toMatchObject({ snapshot: 'snapshot.json', replayed: 0 });
        expect(recorded(store.projector.toState())).toEqual(expected.final);
        await store.close();

        fs.rmSync(path.join(dataDir, 'snapshot.json'));
        fs.rmSync(path.join(dataDir, 'snapshot.json.bak'), { force: true });
        const second = messages();
        const replayed = await openFileStore({ dataDir, log: second.log });
        expect(second.seen.find((m) => m.msg === 'journal opened')?.fields).toMatchObject({ snapshot: 'none', replayed: expected.lastSeq - expected.firstSeq + 1 });
        expect(recorded(replayed.projector.toState())).toEqual(expected.final);
        await replayed.close();
      });

      it('ignores a snapshot of another projection version, saying so, and replays to the recorded projections', async () => {
        const dataDir = copyOf(name);
        const file = path.join(dataDir, 'snapshot.json');
        fs.writeFileSync(file, JSON.stringify({ ...JSON.parse(fs.readFileSync(file, 'utf8')), projectionVersion: 999 }));
        const log = messages();
        const store = await openFileStore({ dataDir, log: log.log });
        expect(log.seen.map((m) => m.msg)).toContain('snapshot holds projections of another version; ignoring it, so start-up replays the journal');
        expect(log.seen.find((m) => m.msg === 'journal opened')?.fields).toMatchObject({ snapshot: 'none' });
        expect(recorded(store.projector.toState())).toEqual(expected.final);
        await store.close();
      });

      it('answers GET /api/replay from the boundary on, and 400 naming the field before it', async () => {
        const store = await openFileStore({ dataDir: copyOf(name), log: messages().log });
        try {
          const clock = new ManualClock(Date.now());
          const app = createApp({ store, service: new CommandService({ store, clock }), clock, log: messages().log, allowedHosts: ['localhost'] });
          const get = (url: string) => app.request(`http://localhost${url}`, { headers: { host: 'localhost' } });
          const atBoundary = await get(`/api/replay?seq=${expected.firstSeq - 1}`);
          expect(atBoundary.status).toBe(200);
          expect(((await atBoundary.json()) as { asOf: { seq: number } }).asOf.seq).toBe(expected.firstSeq - 1);
          if (expected.firstSeq > 1) {
            const before = await get(`/api/replay?seq=${expected.firstSeq - 2}`);
            expect(before.status).toBe(400);
            expect(await before.json()).toMatchObject({ errors: [{ field: 'seq', message: expect.stringMatching(/were pruned/) }] });
          }
        } finally {
          await store.close();
        }
      });

      it('replays to the recorded points, from its checkpoints and without them', async () => {
        const dataDir = copyOf(name);
        const store = await openFileStore({ dataDir, log: messages().log });
        try {
          for (const p of expected.points) {
            const options = { checkpoints: store.checkpoints, firstSeq: store.journal.firstSeq };
            expect(recorded((await replayTo(store.journal, p.point, options)).toState()), JSON.stringify(p.point)).toEqual({ seq: p.seq, schedules: p.schedules, sha256: p.sha256 });
            // a pruned journal has no seq 1 to fold from: its boundary checkpoint is the start
            if (expected.firstSeq === 1) {
              expect(recorded((await replayTo(store.journal, p.point)).toState()), JSON.stringify(p.point)).toEqual({ seq: p.seq, schedules: p.schedules, sha256: p.sha256 });
            } else {
              const boundary = (await new CheckpointStore(path.join(dataDir, 'checkpoints')).list()).find((e) => e.seq === expected.firstSeq - 1);
              expect(boundary).toBeDefined();
            }
          }
        } finally {
          await store.close();
        }
      });
    });
  }
});
