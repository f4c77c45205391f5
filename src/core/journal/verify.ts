import path from 'node:path';
import { GENESIS_HASH } from './line-codec.ts';
import { listSegments } from './file-journal.ts';
import { type ScanState, type ScannedLine, scanSegment } from './segment-scan.ts';

export interface VerifyReport {
  ok: boolean;
  segments: number;
  events: number;
  lastSeq: number;
  lastHash: string;
  problem?: { segment: string; line: number; message: string };
}

// Walks every segment from seq 1, checking each line's hash against the chain and the seq
// order. Reads only, so it can run beside a live server.
export const verifyJournal = async (
  dir: string,
  onLine: (line: ScannedLine, segment: string) => void = () => {},
): Promise<VerifyReport> => {
  const names = await listSegments(dir);
  let state: ScanState = { hash: GENESIS_HASH, nextSeq: 1, offset: 0, line: 1 };
  let events = 0;
  for (const [i, name] of names.entries()) {
    const end = await scanSegment(path.join(dir, name), state, (l) => {
      events += 1;
      onLine(l, name);
    });
    const report = { ok: false, segments: names.length, events, lastSeq: end.state.nextSeq - 1, lastHash: end.state.hash };
    if (end.kind === 'corrupt') return { ...report, problem: { segment: name, line: end.state.line, message: end.problem } };
    if (end.kind === 'torn') {
      const message = `${end.tornBytes} bytes after the last complete line (a torn write; the server truncates it on start)`;
      // A torn tail in the live segment may simply be a write in flight.
      if (i < names.length - 1) return { ...report, problem: { segment: name, line: end.state.line, message } };
    }
    state = { ...end.state, offset: 0, line: 1 };
  }
  return { ok: true, segments: names.length, events, lastSeq: state.nextSeq - 1, lastHash: state.hash };
};
