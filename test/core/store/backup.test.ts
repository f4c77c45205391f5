import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/core/clock.ts';
import type { Envelope } from '../../../src/core/domain/events.ts';
import { evolve, initialState } from '../../../src/core/domain/projection.ts';
import { verifyJournal } from '../../../src/core/journal/verify.ts';
import { silentLogger } from '../../../src/core/logger.ts';
import { CommandService, type Origin } from '../../../src/core/service.ts';
import { BACKUP_MANIFEST, backupDataDir, restoreDataDir } from '../../../src/core/store/backup.ts';
import { fileRetention } from '../../../src/core/store/file-maintenance.ts';
import { type FileStore, openFileStore } from '../../../src/core/store/file-store.ts';

const DAY = 24 * 3600 * 1000;
const NOW = Date.parse('2027-06-01T00:00:00.000Z');
const OPERATOR: Origin = { source: 'api', actor: 'operator' };
const idleTimers = { setTimeout: () => 0, clearTimeout: () => {} };

const dirs: string[] = [];
const stores: FileStore[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close().catch(() => {});
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
const tmp = (name: string) => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), `cc-${name}-`));
  dirs.push(d);
  return d;
};
const open = async (dataDir: string) => {
  const store = await openFileStore({ dataDir, log: silentLogger, segmentBytes: 8192, snapshotEvery: 300, checkpointEvery: 200 });
  stores.push(store);
  return store;
};
const everything = async (store: FileStore): Promise<Envelope[]> => store.journal.read({ after: 0, limit: Number.MAX_SAFE_INTEGER });

// Twelve tenants paused and resumed as fast as the journal takes it, ten minutes of event
// time apart from 200 days back, while retention archives what is older than 90 days.
const storm = (store: FileStore) => {
  const clock = new ManualClock(NOW - 200 * DAY);
  const service = new CommandService({ store, clock });
  let going = true;
  const workers = Array.from({ length: 12 }, async (_, w) => {
    const tenant = `tenant-${w}`;
    await service.execute({ type: 'CreateSchedule', tenant, spec: { every: 180 }, runner: 'demo' }, OPERATOR);
    for (let i = 0; going; i++) {
      clock.advance(10 * 60 * 1000);
      await service.execute(i % 2 === 0 ? { type: 'PauseSchedule', tenant, reason: `window ${i}` } : { type: 'ResumeSchedule', tenant }, OPERATOR);
    }
  });
  const retention = fileRetention({ store, service, clock: new ManualClock(NOW), timers: idleTimers, log: silentLogger, retentionDays: 90 });
  const archiving = (async () => {
    while (going) {
      await retention.runOnce();
      await new Promise((resolve) => setImmediate(resolve));
    }
  })();
  return {
    stop: async () => {
      going = false;
      await Promise.all([...workers, archiving]);
    },
  };
};

describe('backup and restore', () => {
  it('takes a backup during a write storm that restores into an empty directory and verifies', { timeout: 60_000 }, async () => {
    const dataDir = tmp('live');
    const store = await open(dataDir);
    const writes = storm(store);
    while (store.journal.sealed().filter((s) => s.archived).length < 3) await new Promise((resolve) => setTimeout(resolve, 20));
    const target = path.join(tmp('backups'), 'monday');
    const backup = await backupDataDir(dataDir, target);
    const atBackup = store.journal.lastSeq;
    await writes.stop();
    const original = await everything(store);
    await store.close();

    expect(backup.verify).toMatchObject({ ok: true, firstSeq: 1 });
    expect(backup.verify.archived).toBeGreaterThanOrEqual(3);
    expect(backup.verify.lastSeq).toBeGreaterThan(100);
    expect(backup.verify.lastSeq).toBeLessThanOrEqual(atBackup + 50);
    expect(backup.linked).toBeGreaterThan(0);
    expect(JSON.parse(fs.readFileSync(path.join(target, BACKUP_MANIFEST), 'utf8'))).toMatchObject({ ok: true, lastSeq: backup.verify.lastSeq });
    expect(fs.existsSync(path.join(target, '.lock'))).toBe(false);

    const restoredDir = path.join(tmp('restored'), 'data');
    const restored = await restoreDataDir(target, restoredDir);
    expect(restored.verify).toMatchObject({ ok: true, lastSeq: backup.verify.lastSeq });
    expect(fs.existsSync(path.join(restoredDir, '.lock'))).toBe(false);
    const reopened = await open(restoredDir);
    const events = await everything(reopened);
    // the backup is the history up to its cut, event for event
    expect(events).toEqual(original.slice(0, backup.verify.lastSeq));
    expect(reopened.projector.toState()).toEqual(events.reduce(evolve, initialState()));
    // and the restored server writes on, continuing the chain
    await new CommandService({ store: reopened, clock: new ManualClock(NOW) }).execute({ type: 'DeleteSchedule', tenant: 'tenant-4' }, OPERATOR);
    await reopened.close();
    expect(await verifyJournal(path.join(restoredDir, 'journal'))).toMatchObject({ ok: true });
    expect((await verifyJournal(path.join(restoredDir, 'journal'))).lastSeq).toBeGreaterThan(backup.verify.lastSeq);
  });

  it('refuses to restore into a directory that is not empty, or a backup that does not verify', async () => {
    const dataDir = tmp('live');
    const store = await open(dataDir);
    const service = new CommandService({ store, clock: new ManualClock(NOW) });
    for (let i = 0; i < 40; i++) await service.execute({ type: 'CreateSchedule', tenant: `t-${i}`, spec: { every: 60 }, runner: 'demo' }, OPERATOR);
    const target = path.join(tmp('backups'), 'b');
    await backupDataDir(dataDir, target);
    await expect(backupDataDir(dataDir, target)).rejects.toThrow(/not empty/);
    await expect(restoreDataDir(target, dataDir)).rejects.toThrow(/not empty/);

    const segment = fs.readdirSync(path.join(target, 'journal')).sort()[0]!;
    const file = path.join(target, 'journal', segment);
    // a hard link shares the live file: replace it rather than edit it in place
    const text = fs.readFileSync(file, 'utf8').replace('"tenant":"t-3"', '"tenant":"t-9"');
    fs.rmSync(file);
    fs.writeFileSync(file, text);
    const empty = path.join(tmp('restored'), 'data');
    await expect(restoreDataDir(target, empty)).rejects.toThrow(/does not verify/);
    expect(fs.existsSync(empty)).toBe(false);
    expect(await verifyJournal(path.join(dataDir, 'journal'))).toMatchObject({ ok: true, lastSeq: 40 });
  });
});
