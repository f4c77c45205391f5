import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { archiveBlocks } from './archive-format.ts';
import { listChain } from './chain.ts';
import { JournalError } from './journal.ts';
import { chainHash, checkLine, GENESIS_HASH } from './line-codec.ts';

export interface ChainedLine {
  seq: number;
  hash: string;
  eventJson: string;
}

// The journal's lines in order, each checked against the chain, at the reader's pace
// (a copy to another store awaits every batch it writes). Stops after `upToSeq`, so a
// torn line a crash left at the very end is never read.
export async function* journalLines(dir: string, upToSeq: number): AsyncGenerator<ChainedLine> {
  let hash = GENESIS_HASH;
  let seq = 0;
  for (const part of (await listChain(dir)).parts) {
    if (seq >= upToSeq) return;
    if (part.kind === 'archive') {
      const { header } = part.info;
      if (header.firstSeq !== seq + 1 || header.prevHash !== hash) {
        throw new JournalError(`archive ${part.file} starts at seq ${header.firstSeq}, expected ${seq + 1} (a pruned journal copies only whole)`, 'corrupt');
      }
      for await (const { block, lines } of archiveBlocks(part.info)) {
        for (const eventJson of lines) {
          hash = chainHash(hash, eventJson);
          seq += 1;
          yield { seq, hash, eventJson };
          if (seq >= upToSeq) return;
        }
        if (hash !== block.hash) throw new JournalError(`archive ${part.file} does not match its recorded hash at seq ${block.lastSeq}`, 'corrupt');
      }
      continue;
    }
    const name = part.segment;
    const input = fs.createReadStream(path.join(dir, name), { encoding: 'utf8', highWaterMark: 1 << 20 });
    const lines = readline.createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
    let line = 0;
    try {
      for await (const text of lines) {
        line += 1;
        const check = checkLine(text, hash, seq + 1);
        if (!check.ok) throw new JournalError(`journal is corrupt at segment ${name} line ${line}: ${check.problem}`, 'corrupt');
        hash = check.hash;
        seq = check.seq;
        yield { seq, hash, eventJson: check.eventJson };
        if (seq >= upToSeq) return;
      }
    } finally {
      lines.close();
      input.destroy();
    }
  }
}
