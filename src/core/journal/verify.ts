import fs from 'node:fs/promises';
import path from 'node:path';
import { ArchiveError, archiveName, checkArchive, readArchiveHeader } from './archive-format.ts';
import { archiveDirOf, type ChainPart, firstRawLine, listChain } from './chain.ts';
import { chainHash, GENESIS_HASH } from './line-codec.ts';
import { type ScanState, type ScannedLine, scanSegment } from './segment-scan.ts';

export interface VerifyReport {
  ok: boolean;
  segments: number;
  // how many of them are archived (compressed, in data/archive)
  archived: number;
  events: number;
  // the first seq kept: 1, or the one after a recorded prune
  firstSeq: number;
  lastSeq: number;
  lastHash: string;
  // events 1..prunedThrough were deleted on purpose, as the journal.pruned event at `recordedAt` says
  pruned?: { throughSeq: number; boundaryHash: string; recordedAt: number };
  problem?: { segment: string; line: number; message: string };
}

export interface VerifyOptions {
  // default: data/archive beside data/journal
  archiveDir?: string | undefined;
}

interface PruneRecord {
  seq: number;
  fromSeq: number;
  toSeq: number;
  boundaryHash: string;
}

const PRUNED_TYPE = '"type":"journal.pruned"';

// Walks the whole chain — archives, then raw segments — checking each line's hash against the
// chain and the seq order. Reads only, so it can run beside a live server. A journal whose
// oldest events were pruned starts the chain from the boundary hash a journal.pruned event
// recorded, so what is kept is proven unchanged and what was cut is exactly what it says.
export const verifyJournal = async (
  dir: string,
  onLine: (line: ScannedLine, segment: string) => void = () => {},
  options: VerifyOptions = {},
): Promise<VerifyReport> => {
  const archiveDir = 'archiveDir' in options ? options.archiveDir : archiveDirOf(dir);
  let parts: ChainPart[];
  try {
    ({ parts } = await listChain(dir, archiveDir));
  } catch (error) {
    // an archive whose header cannot be read (or that is cut short) is a finding, not a crash
    if (!(error instanceof ArchiveError) || !error.archive) throw error;
    return { ok: false, segments: 0, archived: 0, events: 0, firstSeq: 1, lastSeq: 0, lastHash: GENESIS_HASH, problem: { segment: error.archive, line: 1, message: error.message } };
  }
  let state: ScanState = { hash: GENESIS_HASH, nextSeq: 1, offset: 0, line: 1 };
  let events = 0;
  let archived = 0;
  let firstSeq = 1;
  // when the chain starts after a prune: how to check its first link once the record is found
  let firstLink: ((boundaryHash: string) => boolean) | undefined;
  const prunes: PruneRecord[] = [];
  const see = (l: ScannedLine, segment: string) => {
    events += 1;
    if (l.eventJson.includes(PRUNED_TYPE)) {
      const e = JSON.parse(l.eventJson) as { seq: number; type: string; data: Omit<PruneRecord, 'seq'> };
      if (e.type === 'journal.pruned') prunes.push({ seq: e.seq, ...e.data });
    }
    onLine(l, segment);
  };
  const report = (ok: boolean): VerifyReport => ({
    ok,
    segments: parts.length,
    archived,
    events,
    firstSeq,
    lastSeq: state.nextSeq - 1,
    lastHash: state.hash,
  });
  const fail = (segment: string, line: number, message: string): VerifyReport => ({ ...report(false), problem: { segment, line, message } });

  for (const [i, listed] of parts.entries()) {
    // archived by the running server since the listing: read the archive instead
    const part = await stillThere(listed, archiveDir);
    if (!part) return fail(listed.segment, 1, 'the segment disappeared while verifying (archived or pruned meanwhile?); run verify again');
    if (part.kind === 'archive') {
      const { header } = part.info;
      const name = path.basename(part.file);
      if (i === 0 && header.firstSeq > 1) {
        firstSeq = header.firstSeq;
        state = { ...state, hash: header.prevHash, nextSeq: header.firstSeq };
        firstLink = (boundary) => boundary === header.prevHash;
      } else if (header.firstSeq !== state.nextSeq || header.prevHash !== state.hash) {
        return fail(name, 1, `the archive starts at seq ${header.firstSeq}, expected ${state.nextSeq} continuing the chain before it`);
      }
      const check = await checkArchive(part.info, state.hash, (l) => see({ ...l, start: 0, end: 0 }, name));
      if (!check.ok) return fail(name, check.line, check.problem);
      state = { hash: header.lastHash, nextSeq: header.lastSeq + 1, offset: 0, line: 1 };
      archived += 1;
      continue;
    }
    const name = part.segment;
    if (i === 0) {
      const first = await firstRawLine(part.file);
      if (first && first.seq > 1) {
        // The first kept line's own hash needs the pruned line before it: checked at the end.
        firstSeq = first.seq;
        firstLink = (boundary) => chainHash(boundary, first.eventJson) === first.hash;
        see({ seq: first.seq, hash: first.hash, eventJson: first.eventJson, start: 0, end: first.end, line: 1 }, name);
        state = { hash: first.hash, nextSeq: first.seq + 1, offset: first.end, line: 2 };
      }
    }
    const end = await scanSegment(part.file, state, (l) => see(l, name));
    state = end.state;
    if (end.kind === 'corrupt') return fail(name, end.state.line, end.problem);
    if (end.kind === 'torn' && i < parts.length - 1) {
      // A torn tail in the live segment may simply be a write in flight.
      return fail(name, end.state.line, `${end.tornBytes} bytes after the last complete line (a torn write; the server truncates it on start)`);
    }
    state = { ...end.state, offset: 0, line: 1 };
  }

  let pruned: VerifyReport['pruned'];
  if (firstLink) {
    const record = prunes.find((p) => p.toSeq === firstSeq - 1);
    const first = parts[0]!;
    const name = first.kind === 'archive' ? path.basename(first.file) : first.segment;
    if (!record) return fail(name, 1, `events 1..${firstSeq - 1} are missing and no journal.pruned event records their removal`);
    if (!firstLink(record.boundaryHash)) {
      return fail(name, 1, `the first kept event does not continue from the boundary hash the journal.pruned event at seq ${record.seq} recorded`);
    }
    pruned = { throughSeq: record.toSeq, boundaryHash: record.boundaryHash, recordedAt: record.seq };
  }
  return pruned ? { ...report(true), pruned } : report(true);
};

const exists = (file: string) =>
  fs.access(file).then(
    () => true,
    () => false,
  );

const stillThere = async (part: ChainPart, archiveDir: string | undefined): Promise<ChainPart | undefined> => {
  if (await exists(part.file)) return part;
  if (part.kind === 'raw' && archiveDir) {
    const file = path.join(archiveDir, archiveName(part.segment));
    const info = await readArchiveHeader(file).catch(() => undefined);
    if (info) return { kind: 'archive', segment: part.segment, file, info };
  }
  return undefined;
};
