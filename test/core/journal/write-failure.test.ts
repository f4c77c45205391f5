import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/core/clock.ts';
import { FileJournal } from '../../../src/core/journal/file-journal.ts';
import { listRawSegments } from '../../../src/core/journal/chain.ts';
import { JournalError } from '../../../src/core/journal/journal.ts';
import { type JournalFs, nodeJournalFs } from '../../../src/core/journal/journal-fs.ts';
import { verifyJournal } from '../../../src/core/journal/verify.ts';
import { silentLogger } from '../../../src/core/logger.ts';
import { CommandService } from '../../../src/core/service.ts';
import { openFileStore } from '../../../src/core/store/file-store.ts';
import { createApp } from '../../../src/http/app.ts';
import { collector, draft, range, seqs, T0 } from './drafts.ts';

const errno = (code: string) => Object.assign(new Error(`${code}: injected failure`), { code });

type Fault = 'write ENOSPC' | 'fdatasync EIO' | 'partial write, then ENOSPC' | 'partial write, then ENOSPC, and ftruncate EIO' | 'open ENOSPC';

// The real file operations, failing on demand the way a full or failing disk does.
const faultyFs = () => {
  let fault: Fault | null = null;
  let partialDone = false;
  const io: JournalFs = {
    ...nodeJournalFs,
    open: async (file, flags) => {
      if (fault === 'open ENOSPC' && flags.startsWith('wx')) throw errno('ENOSPC');
      return nodeJournalFs.open(file, flags);
    },
    write: async (fd, buffer, offset, length, position) => {
      if (fault === 'write ENOSPC') throw errno('ENOSPC');
      if (fault?.startsWith('partial write')) {
        if (partialDone) throw errno('ENOSPC');
        partialDone = true;
        return nodeJournalFs.write(fd, buffer, offset, Math.ceil(length / 2), position);
      }
      return nodeJournalFs.write(fd, buffer, offset, length, position);
    },
    fdatasync: async (fd) => {
      if (fault === 'fdatasync EIO') throw errno('EIO');
      return nodeJournalFs.fdatasync(fd);
    },
    ftruncate: async (fd, length) => {
      if (fault === 'partial write, then ENOSPC, and ftruncate EIO') throw errno('EIO');
      return nodeJournalFs.ftruncate(fd, length);
    },
  };
  return {
    io,
    fail: (f: Fault) => {
      fault = f;
      partialDone = false;
    },
    heal: () => {
      fault = null;
    },
  };
};

const dirs: string[] = [];
const tempDir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-wfail-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const FAULTS: Fault[] = ['write ENOSPC', 'fdatasync EIO', 'partial write, then ENOSPC', 'partial write, then ENOSPC, and ftruncate EIO'];

describe('a failing disk under the file journal', () => {
  it.each(FAULTS)('%s: fails the append as unavailable and leaves journal and memory as they were', async (fault) => {
    const dir = tempDir();
    const disk = faultyFs();
    const { journal } = await FileJournal.open({ dir, fs: disk.io });
    const before = await journal.append(range(1, 5).map(() => draft()));
    const c = collector();
    const sub = journal.subscribe(journal.lastSeq, c.listener);
    const size = fs.statSync(path.join(dir, '000001.jsonl')).size;

    disk.fail(fault);
    // two callers sharing one group commit both fail
    const failed = await Promise.allSettled([journal.append([draft('x'), draft('x'), draft('x')]), journal.append([draft('y')])]);
    for (const f of failed) {
      expect(f.status).toBe('rejected');
      const reason = (f as PromiseRejectedResult).reason as JournalError;
      expect(reason).toBeInstanceOf(JournalError);
      expect(reason.code).toBe('unavailable');
      expect(reason.message).toMatch(/ENOSPC|EIO/);
    }
    expect(journal.lastSeq).toBe(5);
    expect(journal.lastTs).toBe(before[4]!.ts);
    expect(await journal.read({ after: 0, limit: 100 })).toEqual(before);
    if (!fault.includes('ftruncate')) expect(fs.statSync(path.join(dir, '000001.jsonl')).size).toBe(size);

    disk.heal();
    const [next] = await journal.append([draft('after')]);
    expect(next!.seq).toBe(6);
    expect(await journal.read({ after: 0, limit: 100 })).toEqual([...before, next]);
    // the subscriber saw the next event and nothing of the failed ones
    await c.until(6);
    expect(c.seen).toEqual([next]);
    sub.close();
    await journal.close();

    const reopened = await FileJournal.open({ dir });
    expect(reopened.truncatedBytes).toBe(0);
    expect(await reopened.journal.read({ after: 0, limit: 100 })).toEqual([...before, next]);
    await reopened.journal.close();
    expect(await verifyJournal(dir)).toMatchObject({ ok: true, lastSeq: 6 });
  });

  it('reads back nothing of a failed append when the journal is closed before another write', async () => {
    const dir = tempDir();
    const disk = faultyFs();
    const { journal } = await FileJournal.open({ dir, fs: disk.io });
    await journal.append(range(1, 5).map(() => draft()));
    // half of three lines reaches the disk and cannot be cut at once; then space is freed
    disk.fail('partial write, then ENOSPC, and ftruncate EIO');
    await expect(journal.append([draft('x'), draft('x'), draft('x')])).rejects.toThrow(JournalError);
    disk.heal();
    await journal.close();

    const reopened = await FileJournal.open({ dir });
    expect(reopened.journal.lastSeq).toBe(5);
    expect(reopened.truncatedBytes).toBe(0);
    expect(seqs(await reopened.journal.read({ after: 0, limit: 100 }))).toEqual(range(1, 5));
    await reopened.journal.close();
    expect(await verifyJournal(dir)).toMatchObject({ ok: true, lastSeq: 5 });
  });

  it('fails the append when a new segment cannot be created, and rotates once it can', async () => {
    const dir = tempDir();
    const disk = faultyFs();
    const { journal } = await FileJournal.open({ dir, fs: disk.io, segmentBytes: 1024 });
    await journal.append(range(1, 3).map(() => draft()));
    disk.fail('open ENOSPC');
    const results = await Promise.allSettled(range(1, 6).map(() => journal.append([draft()])));
    const landed = results.filter((r) => r.status === 'fulfilled').length;
    expect(results.some((r) => r.status === 'rejected' && (r.reason as JournalError).code === 'unavailable')).toBe(true);
    expect(journal.lastSeq).toBe(3 + landed);
    expect(await listRawSegments(dir)).toEqual(['000001.jsonl']);
    disk.heal();
    await Promise.all(range(1, 6).map(() => journal.append([draft()])));
    expect(journal.lastSeq).toBe(3 + landed + 6);
    expect((await listRawSegments(dir)).length).toBeGreaterThan(1);
    await journal.close();
    expect(await verifyJournal(dir)).toMatchObject({ ok: true, lastSeq: 3 + landed + 6 });
  });

  it('keeps a usable snapshot position when the write after a rotation fails', async () => {
    const dir = tempDir();
    const disk = faultyFs();
    const { journal } = await FileJournal.open({ dir, fs: disk.io, segmentBytes: 1024 });
    await journal.append([draft(), draft()]);
    const seq = journal.lastSeq;
    disk.fail('write ENOSPC');
    // big enough to need a new segment, which is created before the write fails
    await expect(journal.append(range(1, 4).map(() => draft()))).rejects.toThrow(JournalError);
    expect(await listRawSegments(dir)).toEqual(['000001.jsonl', '000002.jsonl']);
    const position = journal.position();
    expect(position.seq).toBe(seq);
    disk.heal();
    await journal.close();
    const reopened = await FileJournal.open({ dir, resumeFrom: [position] });
    expect(reopened.resumedFrom).toBe(0);
    expect(reopened.journal.lastSeq).toBe(seq);
    await reopened.journal.close();
  });
});

describe('a failing disk under the store and the HTTP API', () => {
  const setup = async () => {
    const dataDir = tempDir();
    const disk = faultyFs();
    const store = await openFileStore({ dataDir, log: silentLogger, fs: disk.io });
    const clock = new ManualClock(T0);
    const service = new CommandService({ store, clock });
    const app = createApp({ store, service, clock, log: silentLogger });
    return { dataDir, disk, store, service, app };
  };
  const create = (tenant: string) =>
    new Request('http://localhost/api/schedules', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-ops': '1' },
      body: JSON.stringify({ tenant, every: 300 }),
    });

  it('leaves the projections unchanged when a command cannot be recorded', async () => {
    const { disk, store, service } = await setup();
    await service.execute({ type: 'CreateSchedule', tenant: 'acme', spec: { every: 60 }, runner: 'demo' }, { source: 'api', actor: 't' });
    const before = store.projector.toState();
    disk.fail('fdatasync EIO');
    await expect(
      service.execute({ type: 'PauseSchedule', tenant: 'acme', reason: 'disk' }, { source: 'api', actor: 't' }),
    ).rejects.toMatchObject({ code: 'unavailable' });
    expect(store.projector.toState()).toEqual(before);
    disk.heal();
    const outcome = await service.execute({ type: 'PauseSchedule', tenant: 'acme', reason: 'disk' }, { source: 'api', actor: 't' });
    expect(outcome.events.map((e) => [e.seq, e.type])).toEqual([[2, 'schedule.paused']]);
    expect(store.projector.schedules.get('acme')?.paused).toBe(true);
    await store.close();
  });

  it('answers 503 problem+json while the disk fails, then creates the schedule once it recovers', async () => {
    const { dataDir, disk, store, app } = await setup();
    disk.fail('write ENOSPC');
    const failed = await app.request(create('acme-roofing'));
    expect(failed.status).toBe(503);
    expect(failed.headers.get('content-type')).toBe('application/problem+json');
    const problem = await failed.json();
    expect(problem).toMatchObject({ status: 503, title: 'Service Unavailable' });
    expect(JSON.stringify(problem)).not.toMatch(/ENOSPC|\/tmp|at .*\.ts/);
    const list = await (await app.request('http://localhost/api/schedules')).json();
    expect(list.schedules).toEqual([]);
    expect(store.journal.lastSeq).toBe(0);

    disk.heal();
    const created = await app.request(create('acme-roofing'));
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ tenant: 'acme-roofing', spec: { every: 300 }, version: 1 });
    await store.close();
    expect(await verifyJournal(path.join(dataDir, 'journal'))).toMatchObject({ ok: true, lastSeq: 1 });
  });
});
