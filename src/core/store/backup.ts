import fs from 'node:fs/promises';
import path from 'node:path';
import { archiveName, readArchiveHeader } from '../journal/archive-format.ts';
import { listArchiveNames, listRawSegments, PRUNE_MARK, readPruneMark } from '../journal/chain.ts';
import { JournalError } from '../journal/journal.ts';
import { type VerifyReport, verifyJournal } from '../journal/verify.ts';
import { lockDirectory } from './lock.ts';
import { dataDirs } from './data-dir.ts';

export interface BackupReport {
  dir: string;
  verify: VerifyReport;
  // files hard-linked (same filesystem) and copied
  linked: number;
  copied: number;
  bytes: number;
}

export const BACKUP_MANIFEST = 'BACKUP.json';
const SUBDIRS = ['journal', 'archive', 'checkpoints'] as const;

const isEmptyDir = async (dir: string): Promise<boolean> => {
  const names = await fs.readdir(dir).catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? [] : Promise.reject(error)));
  return names.filter((n) => n !== '.lock').length === 0;
};

const syncPath = async (file: string) => {
  const handle = await fs.open(file, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
};

// Immutable files (sealed segments, archives, checkpoints) are hard-linked where the two
// directories share a filesystem, else copied; either way the result never changes after.
const placer = () => {
  const stats = { linked: 0, copied: 0, bytes: 0 };
  const place = async (from: string, to: string, link: boolean): Promise<boolean> => {
    try {
      if (link) {
        try {
          await fs.link(from, to);
          stats.linked += 1;
          stats.bytes += (await fs.stat(to)).size;
          return true;
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'EXDEV' && (error as NodeJS.ErrnoException).code !== 'EPERM') throw error;
        }
      }
      await fs.copyFile(from, to);
      await syncPath(to);
      stats.copied += 1;
      stats.bytes += (await fs.stat(to)).size;
      return true;
    } catch (error) {
      // archived or pruned by the running server meanwhile
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw error;
    }
  };
  return { place, stats };
};

// The live segment up to its last complete line, as it is at this moment: every line before
// it is whole and chained; a write in flight is left out.
const copyUpToLastLine = async (from: string, to: string): Promise<number> => {
  const source = await fs.open(from, 'r');
  const target = await fs.open(to, 'wx', 0o644).catch(async (error: unknown) => {
    await source.close();
    throw error;
  });
  try {
    const size = (await source.stat()).size;
    const buffer = Buffer.allocUnsafe(1 << 20);
    let position = 0;
    let complete = 0;
    while (position < size) {
      const { bytesRead } = await source.read(buffer, 0, Math.min(buffer.length, size - position), position);
      if (bytesRead === 0) break;
      await target.write(buffer, 0, bytesRead, position);
      position += bytesRead;
      const nl = buffer.subarray(0, bytesRead).lastIndexOf(10);
      if (nl >= 0) complete = position - bytesRead + nl + 1;
    }
    await target.truncate(complete);
    await target.sync();
    return complete;
  } finally {
    await source.close();
    await target.close();
  }
};

// `backup <dir>`: a consistent copy of a data directory while its server runs on. The order is
// what makes it consistent without stopping anything:
//  1. snapshot.json first: the position it names is at or before everything copied after it;
//  2. archives and sealed segments, which never change (a segment archived meanwhile is taken
//     from the archive);
//  3. the live segment last, cut at its last complete line;
//  4. pruned.json: a prune that ran meanwhile recorded its journal.pruned event before deleting
//     anything, so that event is in the copy, and the archives it cut are dropped from it too;
//  5. checkpoints up to the copy's last seq.
// Then the copy is verified like any journal.
export const backupDataDir = async (dataDir: string, target: string): Promise<BackupReport> => {
  if (!(await isEmptyDir(target))) throw new JournalError(`backup target ${target} is not empty; choose a new directory`, 'locked');
  if (path.resolve(target).startsWith(`${path.resolve(dataDir)}${path.sep}`)) throw new JournalError('the backup target must be outside the data directory', 'locked');
  await fs.mkdir(target, { recursive: true });
  for (const sub of SUBDIRS) await fs.mkdir(path.join(target, sub), { recursive: true });
  const { place, stats } = placer();
  const src = dataDirs(dataDir);
  const dst = dataDirs(target);

  // 1. the top-level files: snapshots, tokens, the session key (not the lock, not temporaries)
  for (const entry of await fs.readdir(dataDir, { withFileTypes: true })) {
    if (!entry.isFile() || entry.name === '.lock' || entry.name.includes('.tmp') || entry.name.startsWith('.lock.')) continue;
    await place(path.join(dataDir, entry.name), path.join(target, entry.name), false);
  }
  // 2. archives, sealed segments, checkpoints
  for (const name of await listArchiveNames(src.archive)) await place(path.join(src.archive, name), path.join(dst.archive, name), true);
  const taken = new Set<string>();
  const takeSealed = async (segments: string[]) => {
    for (const name of segments) {
      if (taken.has(name)) continue;
      taken.add(name);
      if (await place(path.join(src.journal, name), path.join(dst.journal, name), true)) continue;
      const archived = archiveName(name);
      await place(path.join(src.archive, archived), path.join(dst.archive, archived), true);
    }
  };
  await takeSealed((await listRawSegments(src.journal)).slice(0, -1));
  // 3. segments sealed meanwhile, then the live one up to its last complete line
  const raw = await listRawSegments(src.journal);
  await takeSealed(raw.slice(0, -1));
  const live = raw[raw.length - 1];
  if (live) {
    stats.bytes += await copyUpToLastLine(path.join(src.journal, live), path.join(dst.journal, live));
    stats.copied += 1;
  }
  // 4. what a prune cut, if one ran: its mark, and none of the archives it deleted
  const mark = await readPruneMark(src.archive);
  if (mark) {
    await fs.writeFile(path.join(dst.archive, PRUNE_MARK), JSON.stringify(mark));
    await syncPath(path.join(dst.archive, PRUNE_MARK));
    for (const name of await listArchiveNames(dst.archive)) {
      const info = await readArchiveHeader(path.join(dst.archive, name));
      if (info.header.lastSeq <= mark.throughSeq) await fs.rm(info.file);
    }
  }
  const verify = await verifyJournal(dst.journal, () => {}, { archiveDir: dst.archive });
  // 5. checkpoints up to the cut (the one a prune wrote at its boundary included)
  for (const name of await fs.readdir(src.checkpoints).catch(() => [] as string[])) {
    const seq = /^v\d+-(\d{12})-/.exec(name)?.[1];
    if (seq && name.endsWith('.json.br') && Number(seq) <= verify.lastSeq) await place(path.join(src.checkpoints, name), path.join(dst.checkpoints, name), true);
  }
  for (const dir of [target, dst.journal, dst.archive, dst.checkpoints]) await syncPath(dir);
  await fs.writeFile(
    path.join(target, BACKUP_MANIFEST),
    `${JSON.stringify({ from: path.resolve(dataDir), firstSeq: verify.firstSeq, lastSeq: verify.lastSeq, lastHash: verify.lastHash, ok: verify.ok }, null, 2)}\n`,
  );
  await syncPath(path.join(target, BACKUP_MANIFEST));
  await syncPath(target);
  return { dir: target, verify, ...stats };
};

// `restore <dir>`: a backup into an empty data directory, checked before and after. The
// directory is locked meanwhile, so no server can start on it half-restored.
export const restoreDataDir = async (backup: string, dataDir: string): Promise<BackupReport> => {
  const from = dataDirs(backup);
  const before = await verifyJournal(from.journal, () => {}, { archiveDir: from.archive });
  if (!before.ok) {
    throw new JournalError(`the backup does not verify (segment ${before.problem?.segment} line ${before.problem?.line}: ${before.problem?.message}); nothing was restored`, 'corrupt');
  }
  if (!(await isEmptyDir(dataDir))) throw new JournalError(`data directory ${dataDir} is not empty; restore only into an empty one`, 'locked');
  await fs.mkdir(dataDir, { recursive: true });
  const lock = lockDirectory(dataDir);
  try {
    const { place, stats } = placer();
    for (const entry of await fs.readdir(backup, { withFileTypes: true })) {
      if (entry.isFile() && entry.name !== BACKUP_MANIFEST) await place(path.join(backup, entry.name), path.join(dataDir, entry.name), false);
    }
    for (const sub of SUBDIRS) {
      const from = path.join(backup, sub);
      const to = path.join(dataDir, sub);
      await fs.mkdir(to, { recursive: true });
      const names = (await fs.readdir(from).catch(() => [] as string[])).sort();
      const live = sub === 'journal' ? names.filter((n) => n.endsWith('.jsonl')).pop() : undefined;
      // the live segment is copied: the restored server appends to it
      for (const name of names) await place(path.join(from, name), path.join(to, name), name !== live);
      await syncPath(to);
    }
    await syncPath(dataDir);
    const restored = dataDirs(dataDir);
    const verify = await verifyJournal(restored.journal, () => {}, { archiveDir: restored.archive });
    if (!verify.ok || verify.lastSeq !== before.lastSeq) {
      throw new JournalError(`the restored journal does not verify (${verify.problem?.message ?? `ends at seq ${verify.lastSeq}, the backup at ${before.lastSeq}`})`, 'corrupt');
    }
    return { dir: dataDir, verify, ...stats };
  } finally {
    lock.release();
  }
};
