import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Envelope } from '../../../src/core/domain/events.ts';
import { evolve, initialState } from '../../../src/core/domain/projection.ts';
import { FileJournal } from '../../../src/core/journal/file-journal.ts';
import { listRawSegments } from '../../../src/core/journal/chain.ts';
import { JournalError } from '../../../src/core/journal/journal.ts';
import { verifyJournal } from '../../../src/core/journal/verify.ts';
import type { Logger } from '../../../src/core/logger.ts';
import { openFileStore } from '../../../src/core/store/file-store.ts';
import { isAlive } from '../../../src/core/store/lock.ts';
import { prng, spawnFixture } from './child-process.ts';
import { created, draft, iso, range, T0 } from './drafts.ts';

const SEED = Number(process.env.CC_CORRUPTION_SEED ?? Date.now() % 1_000_000);
const dirs: string[] = [];
const tempDir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-corrupt-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const logCollector = () => {
  const entries: { message: string; fields?: Record<string, unknown> }[] = [];
  const push = (message: string, fields?: Record<string, unknown>) => entries.push({ message, fields });
  const log: Logger = { debug: push, info: push, warn: push, error: push };
  return { log, entries, messages: () => entries.map((e) => e.message) };
};

// A journal of `count` events over several small segments.
const writeJournal = async (dir: string, count: number, segmentBytes = 4096): Promise<Envelope[]> => {
  const { journal } = await FileJournal.open({ dir, segmentBytes });
  const events: Envelope[] = [];
  for (let i = 0; i < count; i += 3) {
    events.push(...(await journal.append(range(1, Math.min(3, count - i)).map((k) => draft(`t${(i + k) % 5}`, { ts: iso(T0 + (i + k) * 1000) })))));
  }
  await journal.close();
  return events;
};

const lineBounds = (bytes: Buffer): number[] => {
  const ends: number[] = [];
  for (let i = bytes.indexOf(10); i >= 0; i = bytes.indexOf(10, i + 1)) ends.push(i + 1);
  return ends;
};

const copyDir = (from: string) => {
  const to = tempDir();
  fs.cpSync(from, to, { recursive: true });
  return to;
};

describe(`journal corruption and recovery (seed ${SEED})`, () => {
  it('recovers to the last whole line when the last segment is cut at any byte, and logs what it cut', async () => {
    const original = tempDir();
    const events = await writeJournal(original, 60);
    const names = await listRawSegments(original);
    const last = names[names.length - 1]!;
    const bytes = fs.readFileSync(path.join(original, last));
    const ends = [0, ...lineBounds(bytes)];
    const before = events.length - (ends.length - 1);
    const random = prng(SEED);
    const cuts = [0, 1, bytes.length - 1, ends[1]!, ends[2]! - 1, ...range(1, 25).map(() => Math.floor(random() * bytes.length))];
    for (const cut of cuts) {
      const dir = copyDir(original);
      fs.truncateSync(path.join(dir, last), cut);
      const whole = ends.filter((e) => e <= cut);
      const boundary = whole[whole.length - 1]!;
      const logged: string[] = [];
      const { journal, truncatedBytes } = await FileJournal.open({ dir, log: (m) => logged.push(m) });
      const context = `seed ${SEED} cut ${cut}`;
      expect(journal.lastSeq, context).toBe(before + whole.length - 1);
      expect(truncatedBytes, context).toBe(cut - boundary);
      if (cut > boundary) expect(logged, context).toContain('truncated a torn last line left by a crash');
      else expect(logged, context).not.toContain('truncated a torn last line left by a crash');
      expect(fs.statSync(path.join(dir, last)).size, context).toBe(boundary);
      expect(await journal.read({ after: 0, limit: 1000 }), context).toEqual(events.slice(0, journal.lastSeq));
      const [next] = await journal.append([draft()]);
      expect(next!.seq, context).toBe(journal.lastSeq);
      await journal.close();
      expect(await verifyJournal(dir), context).toMatchObject({ ok: true, lastSeq: next!.seq });
    }
  });

  it('refuses to open when a byte mid-file is flipped, naming the segment and line; verify reports the same', async () => {
    const original = tempDir();
    await writeJournal(original, 90);
    const names = await listRawSegments(original);
    expect(names.length).toBeGreaterThan(3);
    const random = prng(SEED + 1);
    for (let trial = 0; trial < 12; trial++) {
      const dir = copyDir(original);
      // any segment but the last line of the last one (that would be a torn tail)
      const name = names[Math.floor(random() * names.length)]!;
      const file = path.join(dir, name);
      const bytes = fs.readFileSync(file);
      const ends = [0, ...lineBounds(bytes)];
      const lines = ends.length - 1 - (name === names[names.length - 1] ? 1 : 0);
      const line = 1 + Math.floor(random() * lines);
      const at = ends[line - 1]! + Math.floor(random() * (ends[line]! - ends[line - 1]! - 1));
      bytes[at] = bytes[at]! ^ (1 << Math.floor(random() * 7));
      fs.writeFileSync(file, bytes);
      const context = `seed ${SEED} ${name} line ${line} byte ${at}`;

      const error = await FileJournal.open({ dir }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error, context).toBeInstanceOf(JournalError);
      expect((error as JournalError).code, context).toBe('corrupt');
      expect((error as JournalError).message, context).toContain(`segment ${name} line ${line}:`);
      expect(await verifyJournal(dir), context).toMatchObject({ ok: false, problem: { segment: name, line } });
      // nothing was cut or rewritten on the way
      expect(fs.readFileSync(file), context).toEqual(bytes);
    }
  });

  it('refuses a store whose journal is corrupt mid-file and leaves no lock behind', async () => {
    const dataDir = tempDir();
    const journalDir = path.join(dataDir, 'journal');
    await writeJournal(journalDir, 30);
    const file = path.join(journalDir, '000001.jsonl');
    const text = fs.readFileSync(file, 'utf8').split('\n');
    text[1] = text[1]!.replace('"seq":2,', '"seq":2 ,');
    fs.writeFileSync(file, text.join('\n'));
    await expect(openFileStore({ dataDir, log: logCollector().log })).rejects.toThrow(/segment 000001\.jsonl line 2:/);
    expect(fs.existsSync(path.join(dataDir, '.lock'))).toBe(false);
  });

  it('finds a line edited by hand (valid JSON, one value changed) with verify, by segment and line', async () => {
    const dir = tempDir();
    await writeJournal(dir, 40);
    const name = (await listRawSegments(dir))[1]!;
    const file = path.join(dir, name);
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    const edited = lines[2]!.replace('"actor":"operator"', '"actor":"intruder"');
    expect(edited).not.toBe(lines[2]);
    expect(() => JSON.parse(edited)).not.toThrow();
    lines[2] = edited;
    fs.writeFileSync(file, lines.join('\n'));
    const report = await verifyJournal(dir);
    expect(report.ok).toBe(false);
    expect(report.problem).toMatchObject({ segment: name, line: 3, message: expect.stringMatching(/hash does not match/) });
    await expect(FileJournal.open({ dir })).rejects.toThrow(`segment ${name} line 3:`);
  });

  it('finds a line dropped from the middle and lines swapped, by segment and line', async () => {
    const dir = tempDir();
    await writeJournal(dir, 40);
    const name = (await listRawSegments(dir))[0]!;
    const file = path.join(dir, name);
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    fs.writeFileSync(file, [...lines.slice(0, 3), ...lines.slice(4)].join('\n'));
    expect(await verifyJournal(dir)).toMatchObject({ ok: false, problem: { segment: name, line: 4 } });
    fs.writeFileSync(file, [lines[0], lines[2], lines[1], ...lines.slice(3)].join('\n'));
    expect(await verifyJournal(dir)).toMatchObject({ ok: false, problem: { segment: name, line: 2 } });
  });

  describe('snapshots', () => {
    // A store with a snapshot.json and an older snapshot.json.bak, and events after both.
    const storeWithSnapshots = async () => {
      const dataDir = tempDir();
      const store = await openFileStore({ dataDir, log: logCollector().log, segmentBytes: 4096 });
      const tenants = range(1, 6).map((i) => `tenant-${i}`);
      await store.journal.append(tenants.map((t) => created(t)));
      await store.snapshot();
      await store.journal.append([draft('tenant-2'), draft('tenant-4')]);
      await store.snapshot();
      const bakSeq = JSON.parse(fs.readFileSync(path.join(dataDir, 'snapshot.json.bak'), 'utf8')).position.seq as number;
      const snapSeq = JSON.parse(fs.readFileSync(path.join(dataDir, 'snapshot.json'), 'utf8')).position.seq as number;
      await store.journal.append([draft('tenant-5', { type: 'schedule.deleted', data: {} }), created('tenant-7')]);
      const expected = store.projector.toState();
      // close would write a newer snapshot; keep the two we made
      await store.journal.close();
      fs.rmSync(path.join(dataDir, '.lock'));
      expect([bakSeq, snapSeq]).toEqual([6, 8]);
      return { dataDir, expected, events: await readAll(dataDir) };
    };
    const readAll = async (dataDir: string) => {
      const { journal } = await FileJournal.open({ dir: path.join(dataDir, 'journal') });
      const all = await journal.read({ after: 0, limit: 10_000 });
      await journal.close();
      return all;
    };
    const opened = (entries: ReturnType<typeof logCollector>['entries']) => entries.find((e) => e.message === 'journal opened')?.fields;

    it('resumes from snapshot.json and replays only the tail', async () => {
      const { dataDir, expected } = await storeWithSnapshots();
      const { log, entries } = logCollector();
      const store = await openFileStore({ dataDir, log });
      expect(opened(entries)).toMatchObject({ snapshot: 'snapshot.json', replayed: 2 });
      expect(store.projector.toState()).toEqual(expected);
      await store.close();
    });

    it('falls back to snapshot.json.bak when snapshot.json is corrupt', async () => {
      const { dataDir, expected } = await storeWithSnapshots();
      fs.writeFileSync(path.join(dataDir, 'snapshot.json'), '{"format":1,"position":{"seq":8,');
      const { log, entries } = logCollector();
      const store = await openFileStore({ dataDir, log });
      expect(entries.map((e) => e.message)).toContain('snapshot is corrupt; ignoring it');
      expect(opened(entries)).toMatchObject({ snapshot: 'snapshot.json.bak', replayed: 4 });
      expect(store.projector.toState()).toEqual(expected);
      await store.close();
    });

    it('falls back to snapshot.json.bak when snapshot.json names a line the journal does not have', async () => {
      const { dataDir, expected } = await storeWithSnapshots();
      const file = path.join(dataDir, 'snapshot.json');
      const snapshot = JSON.parse(fs.readFileSync(file, 'utf8'));
      snapshot.position.hash = 'e'.repeat(64);
      fs.writeFileSync(file, JSON.stringify(snapshot));
      const { log, entries } = logCollector();
      const store = await openFileStore({ dataDir, log });
      expect(opened(entries)).toMatchObject({ snapshot: 'snapshot.json.bak', replayed: 4 });
      expect(store.projector.toState()).toEqual(expected);
      await store.close();
    });

    it('replays the whole journal to the same projections when both snapshots are corrupt', async () => {
      const { dataDir, expected, events } = await storeWithSnapshots();
      fs.writeFileSync(path.join(dataDir, 'snapshot.json'), 'not json');
      fs.writeFileSync(path.join(dataDir, 'snapshot.json.bak'), JSON.stringify({ format: 1, position: { seq: 'x' } }));
      const { log, entries } = logCollector();
      const store = await openFileStore({ dataDir, log });
      expect(opened(entries)).toMatchObject({ snapshot: 'none', replayed: 10 });
      expect(store.projector.toState()).toEqual(expected);
      expect(store.projector.toState()).toEqual(events.reduce(evolve, initialState()));
      await store.close();
      // and the next start has a good snapshot again
      const again = logCollector();
      const reopened = await openFileStore({ dataDir, log: again.log });
      expect(opened(again.entries)).toMatchObject({ snapshot: 'snapshot.json', replayed: 0 });
      await reopened.close();
    });
  });

  describe('the data directory lock', () => {
    it('refuses a second server on the same directory, naming the holder pid', async () => {
      const dataDir = tempDir();
      const holder = spawnFixture('lock-holder.ts', [dataDir]);
      try {
        await holder.untilLines(1);
        const error = await openFileStore({ dataDir, log: logCollector().log }).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(JournalError);
        expect((error as JournalError).code).toBe('locked');
        expect((error as Error).message).toContain(`pid ${holder.child.pid}`);
        expect(fs.readFileSync(path.join(dataDir, '.lock'), 'utf8').trim()).toBe(String(holder.child.pid));
      } finally {
        holder.child.kill('SIGKILL');
        await holder.exited;
      }
      // its holder gone, the lock is stale and the next server takes it over
      const { log, messages } = logCollector();
      const store = await openFileStore({ dataDir, log });
      expect(messages()).toContain('took over a stale lock');
      await store.close();
    });

    it('refuses to open the same directory twice in one process', async () => {
      const dataDir = tempDir();
      const first = await openFileStore({ dataDir, log: logCollector().log });
      await expect(openFileStore({ dataDir, log: logCollector().log })).rejects.toThrow(/already open in this process/);
      await first.close();
      const second = await openFileStore({ dataDir, log: logCollector().log });
      await second.close();
    });

    it('takes over a lock left by a process that has exited', async () => {
      const dataDir = tempDir();
      const child = spawn(process.execPath, ['-e', '']);
      const pid = child.pid!;
      await new Promise((resolve) => child.on('close', resolve));
      expect(isAlive(pid)).toBe(false);
      fs.writeFileSync(path.join(dataDir, '.lock'), `${pid}\n`);
      const { log, entries } = logCollector();
      const store = await openFileStore({ dataDir, log });
      expect(entries.find((e) => e.message === 'took over a stale lock')?.fields).toEqual({ pid });
      expect(fs.readFileSync(path.join(dataDir, '.lock'), 'utf8').trim()).toBe(String(process.pid));
      await store.close();
      expect(fs.existsSync(path.join(dataDir, '.lock'))).toBe(false);
    });

    it('takes over a lock file that holds no pid', async () => {
      const dataDir = tempDir();
      fs.writeFileSync(path.join(dataDir, '.lock'), '');
      const { log, messages } = logCollector();
      const store = await openFileStore({ dataDir, log });
      expect(messages()).toContain('took over a stale lock');
      await store.close();
    });

    it('counts an exited but unreaped (zombie) holder as dead and takes its lock over', async (ctx) => {
      if (!fs.existsSync('/proc/self/stat')) return ctx.skip('needs /proc to tell a zombie from a live process');
      // The shell starts a background sleep, then becomes `sleep` itself, which never reaps
      // children: once the background one is killed it stays a zombie.
      const parent = spawn('sh', ['-c', 'sleep 60 & echo $!; exec sleep 60'], { stdio: ['ignore', 'pipe', 'ignore'] });
      try {
        const pid = Number(await new Promise<string>((resolve) => parent.stdout!.once('data', (d: Buffer) => resolve(d.toString()))));
        const read = (file: string) => fs.readFileSync(file, 'utf8');
        const state = () => {
          const stat = read(`/proc/${pid}/stat`);
          return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
        };
        // Neither the exec nor the zombie can be awaited; poll /proc for them.
        const until = async (done: () => boolean) => {
          for (let i = 0; i < 500 && !done(); i++) await new Promise((r) => setTimeout(r, 10));
        };
        await until(() => read(`/proc/${parent.pid}/comm`).trim() === 'sleep');
        expect(read(`/proc/${parent.pid}/comm`).trim()).toBe('sleep');
        expect(isAlive(pid)).toBe(true);
        process.kill(pid, 'SIGKILL');
        await until(() => state() === 'Z');
        expect(state()).toBe('Z');
        expect(() => process.kill(pid, 0)).not.toThrow();
        expect(isAlive(pid)).toBe(false);

        const dataDir = tempDir();
        fs.writeFileSync(path.join(dataDir, '.lock'), `${pid}\n`);
        const { log, messages } = logCollector();
        const store = await openFileStore({ dataDir, log });
        expect(messages()).toContain('took over a stale lock');
        await store.close();
      } finally {
        parent.kill('SIGKILL');
      }
    });

    it('counts this process as alive and nonsense pids as dead', () => {
      expect(isAlive(process.pid)).toBe(true);
      for (const pid of [0, -1, Number.NaN, 1.5]) expect(isAlive(pid)).toBe(false);
    });
  });
});
