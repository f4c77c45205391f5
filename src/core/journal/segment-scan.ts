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
  let next: Promise<{ at: number; data: Buffer }> | undefined;
  try {
    const { size } = await handle.stat();
    const read = (at: number, length: number) => {
      const chunk = Buffer.allocUnsafe(Math.min(length, size - at));
      return handle.read(chunk, 0, chunk.length, at).then(({ bytesRead }) => ({ at, data: chunk.subarray(0, bytesRead) }));
    };
    let chunkSize = CHUNK;
    next = state.offset < size ? read(state.offset, chunkSize) : undefined;
    while (next) {
      const { at, data } = await next;
      const last = data.lastIndexOf(10);
      if (last < 0) {
        next = undefined;
        // a line longer than the chunk: read it again, whole; otherwise a torn tail
        if (data.length > 0 && at + data.length < size) next = read(at, (chunkSize *= 2));
        continue;
      }
      // Each read starts at the first byte not yet checked, so no line is ever stitched from
      // two chunks, and the disk reads the next chunk while this one is checked.
      next = at + last + 1 < size ? read(at + last + 1, chunkSize) : undefined;
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
    }
    const rest = size - state.offset;
    return rest > 0 ? { kind: 'torn', state, tornBytes: rest } : { kind: 'clean', state };
  } finally {
    await next?.catch(() => {});
    await handle.close();
  }
};
