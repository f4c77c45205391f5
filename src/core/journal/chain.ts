import fs from 'node:fs/promises';
import path from 'node:path';
import { ArchiveError, type ArchiveInfo, readArchiveHeader, segmentOfArchive } from './archive-format.ts';
import { EVENT_OFFSET } from './line-codec.ts';

// The whole hash chain of a file journal: archived segments (data/archive) then raw ones
// (data/journal), in segment order. Pruning deletes archives from the front and leaves
// data/archive/pruned.json saying where the kept chain starts.

export type ChainPart =
  | { kind: 'raw'; segment: string; file: string }
  | { kind: 'archive'; segment: string; file: string; info: ArchiveInfo };

export interface PruneMark {
  // every event up to this seq was deleted on purpose (a journal.pruned event says so)
  throughSeq: number;
  // the chain's hash after `throughSeq`: what the first kept line continues from
  boundaryHash: string;
}

export interface Chain {
  parts: ChainPart[];
  pruned: PruneMark | undefined;
}

export const PRUNE_MARK = 'pruned.json';

// data/journal ↔ data/archive. A journal directory not named "journal" (a test's bare
// directory) has no archive unless one is given.
export const archiveDirOf = (journalDir: string): string | undefined =>
  path.basename(journalDir) === 'journal' ? path.join(path.dirname(journalDir), 'archive') : undefined;

export const segmentName = (n: number) => `${String(n).padStart(6, '0')}.jsonl`;
export const segmentNumber = (name: string) => Number.parseInt(name, 10);
const byNumber = (a: string, b: string) => segmentNumber(a) - segmentNumber(b);

export const listRawSegments = async (dir: string): Promise<string[]> =>
  (await fs.readdir(dir).catch(() => [] as string[])).filter((f) => /^\d{6,}\.jsonl$/.test(f)).sort(byNumber);

export const listArchiveNames = async (dir: string | undefined): Promise<string[]> =>
  dir ? (await fs.readdir(dir).catch(() => [] as string[])).filter((f) => /^\d{6,}\.archive$/.test(f)).sort(byNumber) : [];

export const readPruneMark = async (archiveDir: string | undefined): Promise<PruneMark | undefined> => {
  if (!archiveDir) return undefined;
  try {
    const v = JSON.parse(await fs.readFile(path.join(archiveDir, PRUNE_MARK), 'utf8')) as PruneMark;
    return typeof v.throughSeq === 'number' && typeof v.boundaryHash === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
};

// Where each segment lives now. When a segment is both raw and archived (the archiver was
// between its rename and its unlink), the archive is the one: it was complete and on disk
// before it got its name.
export const listChain = async (journalDir: string, archiveDir = archiveDirOf(journalDir)): Promise<Chain> => {
  const archives = new Map<string, ArchiveInfo>();
  for (const name of await listArchiveNames(archiveDir)) {
    const file = path.join(archiveDir!, name);
    try {
      archives.set(segmentOfArchive(name), await readArchiveHeader(file));
    } catch (error) {
      // pruned between the listing and the read: gone on purpose
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  const parts: ChainPart[] = [...archives].map(([segment, info]) => ({ kind: 'archive', segment, file: info.file, info }));
  for (const segment of await listRawSegments(journalDir)) {
    if (!archives.has(segment)) parts.push({ kind: 'raw', segment, file: path.join(journalDir, segment) });
  }
  parts.sort((a, b) => byNumber(a.segment, b.segment));
  return { parts, pruned: await readPruneMark(archiveDir) };
};

// The first complete line of a raw segment: its seq, stored hash and event JSON.
export const firstRawLine = async (file: string): Promise<{ seq: number; hash: string; eventJson: string; end: number } | undefined> => {
  const handle = await fs.open(file, 'r');
  try {
    for (let want = 4096; ; want *= 4) {
      const buffer = Buffer.allocUnsafe(want);
      const { bytesRead } = await handle.read(buffer, 0, want, 0);
      const nl = buffer.subarray(0, bytesRead).indexOf(10);
      if (nl >= 0) {
        const text = buffer.toString('utf8', 0, nl);
        const hash = text.slice(9, 73);
        const eventJson = text.slice(EVENT_OFFSET, text.length - 1);
        return { seq: Number.parseInt(eventJson.slice(7), 10), hash, eventJson, end: nl + 1 };
      }
      if (bytesRead < want) return undefined;
    }
  } finally {
    await handle.close();
  }
};

// The last complete line of a raw segment.
export const lastRawLine = async (file: string): Promise<{ seq: number; hash: string; eventJson: string } | undefined> => {
  const handle = await fs.open(file, 'r');
  try {
    const size = (await handle.stat()).size;
    for (let want = 4096; ; want *= 4) {
      const from = Math.max(0, size - want);
      const buffer = Buffer.allocUnsafe(size - from);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, from);
      const data = buffer.subarray(0, bytesRead);
      const end = data.lastIndexOf(10);
      if (end < 0) return undefined;
      const start = data.lastIndexOf(10, end - 1);
      if (start < 0 && from > 0) continue;
      const text = data.toString('utf8', start + 1, end);
      const eventJson = text.slice(EVENT_OFFSET, text.length - 1);
      return { seq: Number.parseInt(eventJson.slice(7), 10), hash: text.slice(9, 73), eventJson };
    }
  } finally {
    await handle.close();
  }
};

// Only the directory's owner (holding the lock) may call this: it finishes or undoes what an
// archiver or pruner left half-done when the process died.
export const tidyArchive = async (
  journalDir: string,
  archiveDir: string,
  log: (message: string, fields?: Record<string, unknown>) => void,
): Promise<{ archives: Map<string, ArchiveInfo>; unreadable: string[] }> => {
  const archives = new Map<string, ArchiveInfo>();
  const unreadable: string[] = [];
  await fs.mkdir(archiveDir, { recursive: true });
  for (const name of await fs.readdir(archiveDir)) {
    if (name.endsWith('.tmp')) {
      await fs.rm(path.join(archiveDir, name), { force: true });
      log('removed an archive file left by an interrupted archival', { file: name });
    }
  }
  const mark = await readPruneMark(archiveDir);
  for (const name of await listArchiveNames(archiveDir)) {
    const file = path.join(archiveDir, name);
    let info: ArchiveInfo;
    try {
      info = await readArchiveHeader(file);
    } catch (error) {
      if (!(error instanceof ArchiveError)) throw error;
      // Never reached by a crash (archives get their name only once complete): say so loudly,
      // and keep the raw segment if there is one.
      log('an archive is unreadable', { file: name, error: error.message });
      unreadable.push(`${name}: ${error.message}`);
      continue;
    }
    // a prune that died between its journal.pruned event and its last unlink
    if (mark && info.header.lastSeq <= mark.throughSeq) {
      await fs.rm(file, { force: true });
      log('finished an interrupted prune', { file: name, throughSeq: mark.throughSeq });
      continue;
    }
    const raw = path.join(journalDir, segmentOfArchive(name));
    const last = await lastRawLine(raw).catch(() => undefined);
    if (!last) {
      archives.set(info.header.segment, info);
      continue;
    }
    if (last.seq === info.header.lastSeq && last.hash === info.header.lastHash) {
      await fs.rm(raw, { force: true });
      archives.set(info.header.segment, info);
      log('finished an interrupted archival', { segment: segmentOfArchive(name) });
    } else {
      await fs.rm(file, { force: true });
      log('removed an archive that does not match its segment; the segment stays', { segment: segmentOfArchive(name) });
    }
  }
  return { archives, unreadable };
};
