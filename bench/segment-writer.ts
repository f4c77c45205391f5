// Writes events straight to journal segment files, line for line what FileJournal writes
// (the line codec's hash chain, the same rotation), without FileJournal's fsync per batch:
// bench/journal.ts and bench/year.ts use it to lay down millions of events in seconds.
import fs from 'node:fs';
import path from 'node:path';
import type { Envelope } from '../src/core/domain/events.ts';
import type { Position, SegmentInfo } from '../src/core/journal/file-journal.ts';
import { chainHash, encodeLine, GENESIS_HASH } from '../src/core/journal/line-codec.ts';

export const SEGMENT_BYTES = 64 * 1024 * 1024;

export interface SealedSegment {
  name: string;
  firstSeq: number;
  // the chain's hash before the segment's first line
  prevHash: string;
  // ts of its last event
  lastTs: string;
}

export class SegmentWriter {
  readonly segments: SegmentInfo[] = [];
  seq = 0;
  hash = GENESIS_HASH;
  // bytes of every line written, hashes included
  bytes = 0;
  private fd = -1;
  private size = 0;
  private line = 1;
  private lineStart = 0;
  private lastTs = '';
  private current: Omit<SealedSegment, 'lastTs'> | undefined;
  private pending: string[] = [];
  private pendingBytes = 0;

  constructor(
    private readonly dir: string,
    // told of each segment once it is complete and on disk
    private readonly onSealed: (segment: SealedSegment) => void = () => {},
    private readonly segmentBytes = SEGMENT_BYTES,
  ) {
    fs.mkdirSync(dir, { recursive: true });
  }

  // `event.seq` must be the next one
  append(event: Envelope): void {
    if (event.seq !== this.seq + 1) throw new Error(`seq ${event.seq} after ${this.seq}`);
    const json = JSON.stringify(event);
    const prevHash = this.hash;
    this.hash = chainHash(prevHash, json);
    const text = encodeLine(this.hash, json);
    const length = Buffer.byteLength(text);
    if (this.fd < 0 || (this.size > 0 && this.size + length > this.segmentBytes)) this.rotate(event.seq, prevHash);
    this.seq = event.seq;
    this.lastTs = event.ts;
    this.lineStart = this.size;
    this.size += length;
    this.bytes += length;
    this.line += 1;
    this.pending.push(text);
    this.pendingBytes += length;
    if (this.pendingBytes > 1 << 20) this.flush();
  }

  // where a snapshot taken now would stand
  position(): Position {
    return {
      seq: this.seq,
      hash: this.hash,
      segment: this.segments[this.segments.length - 1]!.name,
      offset: this.size,
      line: this.line,
      lineStart: this.lineStart,
      segments: this.segments.map((s) => ({ ...s })),
    };
  }

  // flushes and fsyncs the live segment and closes it (it stays the live one, not sealed)
  close(): void {
    this.flush();
    if (this.fd < 0) return;
    fs.fsyncSync(this.fd);
    fs.closeSync(this.fd);
    this.fd = -1;
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    const buffer = Buffer.from(this.pending.join(''));
    fs.writeSync(this.fd, buffer, 0, buffer.length, this.size - this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
  }

  // A new segment whose first line will be `firstSeq`, continuing from `prevHash`. The one
  // before goes to disk first, as a live journal's would be, so start-ups measured later do
  // not pay for the generator's writeback.
  private rotate(firstSeq: number, prevHash: string): void {
    if (this.fd >= 0) {
      this.close();
      this.onSealed({ ...this.current!, lastTs: this.lastTs });
    }
    const name = `${String(this.segments.length + 1).padStart(6, '0')}.jsonl`;
    this.fd = fs.openSync(path.join(this.dir, name), 'w');
    this.segments.push({ name, firstSeq });
    this.current = { name, firstSeq, prevHash };
    this.size = 0;
    this.line = 1;
  }
}

// mulberry32: a small seeded generator, so generated histories are reproducible
export const seededRandom = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
