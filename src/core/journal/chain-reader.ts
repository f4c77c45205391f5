import { archiveBlocks } from './archive-format.ts';
import { archiveDirOf, type ChainPart, firstRawLine, lastRawLine, listChain } from './chain.ts';
import { JournalError } from './journal.ts';
import { chainHash, GENESIS_HASH } from './line-codec.ts';
import { scanSegment } from './segment-scan.ts';

export interface ChainRead {
  // the first and last seq visited (0 when none)
  firstSeq: number;
  lastSeq: number;
}

const corrupt = (where: string, message: string) =>
  new JournalError(`journal is corrupt at ${where}: ${message}. Run "command-center verify" for details.`, 'corrupt');

// Reads events after `after` straight from the files, without a server and without its lock
// (a running server may be appending): it starts at the segment or archive block that holds
// after + 1 and checks the hash chain of everything it reads from there, so a point deep in a
// year-long journal costs one block, not a walk from seq 1. `visit` returns false to stop.
export const readChain = async (
  journalDir: string,
  range: { after: number; upTo?: number; archiveDir?: string | undefined },
  visit: (eventJson: string, seq: number) => boolean | void,
): Promise<ChainRead> => {
  const read: ChainRead = { firstSeq: 0, lastSeq: 0 };
  for (let attempt = 1; ; attempt++) {
    try {
      // after a retry, on from the last event delivered: none is visited twice
      return await readFrom(journalDir, { ...range, after: Math.max(range.after, read.lastSeq) }, visit, read);
    } catch (error) {
      // A running server archived a segment (or pruned an archive) between the listing and
      // its read: list the chain again.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || attempt === 3) throw error;
    }
  }
};

const readFrom = async (
  journalDir: string,
  range: { after: number; upTo?: number; archiveDir?: string | undefined },
  visit: (eventJson: string, seq: number) => boolean | void,
  read: ChainRead,
): Promise<ChainRead> => {
  const { parts } = await listChain(journalDir, range.archiveDir ?? archiveDirOf(journalDir));
  const upTo = range.upTo ?? Number.POSITIVE_INFINITY;
  const firsts = await Promise.all(parts.map((p) => firstSeqOf(p)));
  let i = 0;
  while (i + 1 < parts.length && (firsts[i + 1] ?? 0) <= range.after + 1) i++;
  let going = true;
  const see = (json: string, seq: number) => {
    if (!going || seq <= range.after) return;
    if (seq > upTo) {
      going = false;
      return;
    }
    if (read.firstSeq === 0) read.firstSeq = seq;
    read.lastSeq = seq;
    if (visit(json, seq) === false) going = false;
  };
  // the chain's hash where the part read last ended: the next part must continue from it
  let carried: string | undefined;
  for (; i < parts.length && going; i++) {
    const part = parts[i]!;
    if (part.kind === 'archive') {
      const { header } = part.info;
      if (carried !== undefined && header.prevHash !== carried) {
        throw corrupt(part.file, 'the archive does not continue the chain of the segment before it');
      }
      let blockStart = true;
      let hash = '';
      for await (const { block, index, lines } of archiveBlocks(part.info, range.after + 1)) {
        if (blockStart) hash = index === 0 ? header.prevHash : header.blocks[index - 1]!.hash;
        blockStart = false;
        lines.forEach((json, k) => {
          hash = chainHash(hash, json);
          see(json, block.firstSeq + k);
        });
        // the whole block is checked, even when the reader stopped inside it
        if (hash !== block.hash) throw corrupt(`${part.file} seq ${block.firstSeq}..${block.lastSeq}`, 'the events do not hash to the block\'s recorded hash');
        if (!going) break;
      }
      if (going && hash !== header.lastHash) throw corrupt(part.file, 'the last block does not end at the hash the header records');
      carried = header.lastHash;
      continue;
    }
    const first = firsts[i]!;
    const prevHash = carried ?? (i === 0 ? (first === 1 ? GENESIS_HASH : undefined) : await lastHashOf(parts[i - 1]!));
    let state = { hash: prevHash ?? '', nextSeq: first, offset: 0, line: 1 };
    if (prevHash === undefined) {
      // the first kept segment after a prune: its first line continues a chain no longer here
      const line = await firstRawLine(part.file);
      if (!line) continue;
      see(line.eventJson, line.seq);
      state = { hash: line.hash, nextSeq: line.seq + 1, offset: line.end, line: 2 };
    }
    // a reader that has what it wants ends the scan there, not at the segment's end
    const end = await scanSegment(part.file, state, (l) => {
      see(l.eventJson, l.seq);
      if (!going) throw STOP;
    }, upTo).catch((error: unknown) => (error === STOP ? undefined : Promise.reject(error)));
    if (end?.kind === 'corrupt') throw corrupt(`segment ${part.segment} line ${end.state.line}`, end.problem);
    // the scan stops at upTo: nothing after it is wanted
    if (!end || end.state.nextSeq > upTo) break;
    carried = end.state.hash;
  }
  return read;
};

const STOP = new Error('the reader stopped');

const firstSeqOf = async (part: ChainPart): Promise<number> =>
  part.kind === 'archive' ? part.info.header.firstSeq : ((await firstRawLine(part.file))?.seq ?? Number.POSITIVE_INFINITY);

const lastHashOf = async (part: ChainPart): Promise<string | undefined> =>
  part.kind === 'archive' ? part.info.header.lastHash : (await lastRawLine(part.file))?.hash;
