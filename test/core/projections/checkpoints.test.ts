import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { replayCommand } from '../../../src/commands/replay-command.ts';
import { ManualClock } from '../../../src/core/clock.ts';
import { scheduleView } from '../../../src/core/domain/projection.ts';
import { verifyJournal } from '../../../src/core/journal/verify.ts';
import { silentLogger } from '../../../src/core/logger.ts';
import { replayTo, type ReplayPoint } from '../../../src/core/projections/replay.ts';
import { CommandService, type Origin } from '../../../src/core/service.ts';
import { fileRetention } from '../../../src/core/store/file-maintenance.ts';
import { type FileStore, openFileStore } from '../../../src/core/store/file-store.ts';

const DAY = 24 * 3600 * 1000;
const NOW = Date.parse('2027-06-01T00:00:00.000Z');
const SCHEDULER: Origin = { source: 'scheduler', actor: 'scheduler' };
const iso = (ms: number) => new Date(ms).toISOString();
// timers that never fire: the tests run retention passes themselves
const idleTimers = { setTimeout: () => 0, clearTimeout: () => {} };

const dirs: string[] = [];
const stores: FileStore[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close().catch(() => {});
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const open = async (dataDir: string, over: Partial<Parameters<typeof openFileStore>[0]> = {}) => {
  const store = await openFileStore({ dataDir, log: silentLogger, checkpointEvery: 50, segmentBytes: 8192, ...over });
  stores.push(store);
  return store;
};

// A history like the scheduler's: five tenants, runs that start and finish (one in seven
// fails), the odd pause and resume; a minute between runs, starting `daysBack` days before NOW.
const drive = async (store: FileStore, runs: number, daysBack: number) => {
  const clock = new ManualClock(NOW - daysBack * DAY);
  const service = new CommandService({ store, clock });
  const origin: Origin = { source: 'api', actor: 'operator' };
  for (let t = 0; t < 5; t++) await service.execute({ type: 'CreateSchedule', tenant: `tenant-${t}`, spec: { every: 60 }, runner: 'demo' }, origin);
  const step = Math.floor((daysBack * DAY) / runs);
  for (let i = 0; i < runs; i++) {
    const tenant = `tenant-${i % 5}`;
    clock.advance(step);
    if (i % 97 === 0) await service.execute({ type: 'PauseSchedule', tenant, reason: 'CRM maintenance' }, origin);
    if (i % 97 === 1) await service.execute({ type: 'ResumeSchedule', tenant: `tenant-${(i - 1) % 5}` }, origin);
    const runId = `run-${i}`;
    await service.execute({ type: 'StartRun', tenant, runId, trigger: 'scheduled', scheduledFor: iso(clock.now()), attempt: 1 }, SCHEDULER);
    const outcome =
      i % 7 === 0
        ? { status: 'failed' as const, error: 'AccuLynx answered 502', errorClass: 'remote' as const, attempt: 1, willRetry: false }
        : { status: 'succeeded' as const, result: { imported: i % 240 } };
    await service.execute({ type: 'FinishRun', tenant, runId, durationMs: 1500 + (i % 9) * 100, outcome }, SCHEDULER);
  }
};

const fresh = () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-checkpoints-'));
  dirs.push(dataDir);
  return dataDir;
};

const stateAt = async (store: FileStore, point: ReplayPoint, withCheckpoints = true) =>
  (await replayTo(store.journal, point, { checkpoints: withCheckpoints ? store.checkpoints : undefined, firstSeq: store.journal.firstSeq })).toState();

describe('checkpoints', () => {
  it('are written every N events, and a replay from one equals a fold from seq 1', async () => {
    const store = await open(fresh());
    await drive(store, 300, 10);
    await store.checkpointer.settled();
    const last = store.journal.lastSeq;
    expect((await store.checkpoints.list()).map((e) => e.seq)).toEqual(Array.from({ length: Math.floor(last / 50) }, (_, i) => (i + 1) * 50));
    for (const seq of [1, 49, 50, 51, 333, last]) expect(await stateAt(store, { seq }), `seq ${seq}`).toEqual(await stateAt(store, { seq }, false));
    for (const daysBack of [9.5, 5, 0.2]) {
      const at = iso(NOW - daysBack * DAY);
      expect(await stateAt(store, { at }), at).toEqual(await stateAt(store, { at }, false));
    }
  });

  it('start a replay at the nearest checkpoint instead of seq 1', async () => {
    const store = await open(fresh());
    await drive(store, 200, 10);
    await store.checkpointer.settled();
    // A checkpoint that says something the events never did: a replay through it shows it.
    const entry = (await store.checkpoints.list()).find((e) => e.seq === 300)!;
    const forged = await store.checkpoints.load(entry);
    const schedules = { ...forged.schedules, 'only-in-checkpoint': { ...forged.schedules['tenant-0']!, tenant: 'only-in-checkpoint' } };
    fs.writeFileSync(entry.file, await promisify(zlib.brotliCompress)(Buffer.from(JSON.stringify({ ...forged, schedules }))));
    expect(Object.keys((await stateAt(store, { seq: 320 })).schedules)).toContain('only-in-checkpoint');
    expect(Object.keys((await stateAt(store, { seq: 299 })).schedules)).not.toContain('only-in-checkpoint');
  });

  it('are backfilled on open for a journal that has none', async () => {
    const dataDir = fresh();
    const store = await open(dataDir, { checkpointEvery: 1_000_000 });
    await drive(store, 150, 10);
    await store.close();
    const reopened = await open(dataDir);
    expect(await reopened.backfilled).toBe(Math.floor(reopened.journal.lastSeq / 50));
    expect(await stateAt(reopened, { seq: 260 })).toEqual(await stateAt(reopened, { seq: 260 }, false));
  });
});

describe('a year of retention through the file store', () => {
  it('archives and prunes, then a start without a snapshot rebuilds the same projections, and replays of kept points are unchanged', async () => {
    const dataDir = fresh();
    const store = await open(dataDir);
    await drive(store, 600, 300);
    await store.checkpointer.settled();
    const last = store.journal.lastSeq;
    const points = [Math.floor(last * 0.8), last - 3];
    const before = await Promise.all(points.map((seq) => stateAt(store, { seq })));
    const service = new CommandService({ store, clock: new ManualClock(NOW) });
    const retention = fileRetention({ store, service, clock: new ManualClock(NOW), timers: idleTimers, log: silentLogger, retentionDays: 90, pruneDays: 200 });
    const pass = await retention.runOnce();
    await retention.stop();

    expect(pass.archived.length).toBeGreaterThan(3);
    const cut = pass.pruned!;
    expect(cut.toSeq).toBeGreaterThan(100);
    expect(fs.readdirSync(path.join(dataDir, 'checkpoints')).some((n) => n.includes(`-${String(cut.toSeq).padStart(12, '0')}-`))).toBe(true);
    const live = store.projector.toState();
    expect(live.lastEvent).toMatchObject({ tenant: '_system', operation: 'pruned' });
    expect(await Promise.all(points.map((seq) => stateAt(store, { seq })))).toEqual(before);
    await expect(stateAt(store, { seq: cut.toSeq - 10 })).rejects.toThrow(/were pruned/);
    expect(await verifyJournal(path.join(dataDir, 'journal'))).toMatchObject({ ok: true, firstSeq: cut.toSeq + 1, pruned: { throughSeq: cut.toSeq } });
    await store.close();

    fs.rmSync(path.join(dataDir, 'snapshot.json'));
    fs.rmSync(path.join(dataDir, 'snapshot.json.bak'), { force: true });
    const reopened = await open(dataDir);
    expect(reopened.projector.toState()).toEqual(live);

    // the CLI reads the same files the same way
    let out = '';
    expect(await replayCommand(path.join(dataDir, 'journal'), { seq: String(points[0]) }, (t) => (out += t), () => {})).toBe(0);
    const cli = JSON.parse(out) as { schedules: unknown[] };
    const expected = before[0]!;
    const pointMs = Date.parse(expected.lastEvent!.ts);
    expect(cli.schedules).toEqual(Object.values(expected.schedules).map((s) => scheduleView(s, pointMs)));
  });
});
