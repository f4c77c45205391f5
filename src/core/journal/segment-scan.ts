import fs from 'node:fs/promises';
import { checkLine } from './line-codec.ts';

export interface ScanState {
  hash: string;
  nextSeq: number;
  offset: number;
  // 1-based number of the next line in this segment
  line: number;
}

export interface ScannedLine {
  seq: number;
  hash: string;
  eventJson: string;
  start: number;
  end: number;
  line: number;
}

export type ScanEnd =
  | { kind: 'clean'; state: ScanState }
  // bytes after the last complete line: a write torn by a crash
  | { kind: 'torn'; state: ScanState; tornBytes: number }
  | { kind: 'corrupt'; state: ScanState; problem: string };

const CHUNK = 1 << 20;

// Reads a segment from `state.offset`, checking each complete line against the chain.
// Stops at the first bad line and says where; never skips one.
export const scanSegment = async (
  path: string,
  start: ScanState,
  onLine: (line: ScannedLine) => void,
  stopAfterSeq = Number.POSITIVE_INFINITY,
): Promise<ScanEnd> => {
  const handle = await fs.open(path, 'r');
  const state = { ...start };
  try {
    const { size } = await handle.stat();
    let carry: Buffer = Buffer.alloc(0);
    let position = state.offset;
    while (position < size) {
      const chunk = Buffer.allocUnsafe(Math.min(CHUNK, size - position));
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, position);
      if (bytesRead === 0) break;
      position += bytesRead;
      const data = carry.length > 0 ? Buffer.concat([carry, chunk.subarray(0, bytesRead)]) : chunk.subarray(0, bytesRead);
      let from = 0;
      for (let nl = data.indexOf(10, from); nl >= 0; nl = data.indexOf(10, from)) {
        const text = data.toString('utf8', from, nl);
        const check = checkLine(text, state.hash, state.nextSeq);
        if (!check.ok) return { kind: 'corrupt', state, problem: check.problem };
        const lineStart = state.offset;
        state.offset += nl - from + 1;
        onLine({ seq: check.seq, hash: check.hash, eventJson: check.eventJson, start: lineStart, end: state.offset, line: state.line });
        state.hash = check.hash;
        state.nextSeq += 1;
        state.line += 1;
        from = nl + 1;
        if (check.seq >= stopAfterSeq) return { kind: 'clean', state };
      }
      carry = Buffer.from(data.subarray(from));
    }
    const rest = size - state.offset;
    return rest > 0 ? { kind: 'torn', state, tornBytes: rest } : { kind: 'clean', state };
  } finally {
    await handle.close();
  }
};
