import fs from 'node:fs/promises';
import path from 'node:path';
import type { Envelope, Unsequenced } from '../domain/events.ts';
import { upcast } from '../domain/upcast.ts';
import { type ArchiveInfo, type BlockCache, checkArchive, readArchived } from './archive-format.ts';
import { listRawSegments, readPruneMark, segmentName, segmentNumber, tidyArchive } from './chain.ts';
import { Fanout } from './fanout.ts';
import { type Journal, JournalError, type Listener, matches, monotonicTs, type ReadQuery, type Subscription } from './journal.ts';
import { fsyncDirectory, type JournalFs, nodeJournalFs } from './journal-fs.ts';
import { chainHash, encodeLine, EVENT_OFFSET, GENESIS_HASH } from './line-codec.ts';
import { type ScanState, scanSegment } from './segment-scan.ts';

export interface SegmentInfo {
  name: string;
  firstSeq: number;
}

// Where the journal stood after one event: enough to resume a scan right after it.
export interface Position {
  seq: number;
  hash: string;
  segment: string;
  offset: number;
  // 1-based number of the next line in `segment`
  line: number;
  lineStart: number;
  segments: SegmentInfo[];
}

export interface FileJournalOptions {
  dir: string;
  fs?: JournalFs;
  segmentBytes?: number;
  // candidate resume points, best first (from the snapshot, then its backup)
  resumeFrom?: Position[];
  // called once, before the tail, with the index of the accepted resume point (-1: none)
  onResume?: (index: number) => void;
  // each event of the tail after the accepted resume point, in order
  onReplay?: (event: Envelope) => void;
  log?: (message: string, fields?: Record<string, unknown>) => void;
  recentLimit?: number;
  // where archived segments live (data/archive); absent: this journal has no archive
  archiveDir?: string;
}

// A sealed segment as the archiver sees it.
export interface SealedSegment {
  name: string;
  firstSeq: number;
  lastSeq: number;
  archived: ArchiveInfo | undefined;
}

export interface OpenResult {
  journal: FileJournal;
  // index into resumeFrom that was accepted, or -1 for a replay from seq 1
  resumedFrom: number;
  replayed: number;
  truncatedBytes: number;
}

interface IndexPoint {
  seq: number;
  segment: number;
  offset: number;
  line: number;
  hash: string;
}

interface Pending {
  drafts: readonly Unsequenced[];
  resolve: (events: Envelope[]) => void;
  reject: (error: Error) => void;
}

const DEFAULT_SEGMENT_BYTES = 64 * 1024 * 1024;
const INDEX_EVERY = 512;

const corrupt = (segment: string, line: number, problem: string) =>
  new JournalError(`journal is corrupt at segment ${segment} line ${line}: ${problem}. Run "command-center verify" for details; start-up refuses rather than skip it.`, 'corrupt');

const grown = (buffer: Buffer, used: number, needed: number): Buffer => {
  const bigger = Buffer.allocUnsafe(Math.max(needed, buffer.length * 2));
  buffer.copy(bigger, 0, 0, used);
  return bigger;
};

const parseEvent = (json: string): Envelope => upcast(JSON.parse(json) as Record<string, unknown>);

const unlessMissing = (error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? undefined : Promise.reject(error));

export class FileJournal implements Journal {
  private readonly fanout = new Fanout();
  private readonly pending: Pending[] = [];
  private flushing: Promise<void> | null = null;
  private closed = false;
  // a failed write may have left bytes past `size`; cut them before writing again
  private dirty = false;
  private readonly recent: Envelope[] = [];
  // Lines are encoded straight into this buffer, reused batch after batch (writes are serial).
  private out: Buffer = Buffer.allocUnsafe(1 << 16);
  // Where the last line ends. It stays in the previous segment while a freshly rotated one is
  // still empty, so position() always names a line a later open can check.
  private tail: Pick<Position, 'segment' | 'offset' | 'line' | 'lineStart'> = { segment: '', offset: 0, line: 1, lineStart: 0 };
  // sealed segments compressed into the archive, by segment name; reads go there for them
  private archives = new Map<string, ArchiveInfo>();
  // events up to here were pruned (deleted on purpose); reads start after them
  private prunedThrough = 0;
  private readonly blockCache: BlockCache = {};

  private constructor(
    private readonly dir: string,
    private readonly io: JournalFs,
    private readonly segmentBytes: number,
    private readonly recentLimit: number,
    private readonly segments: SegmentInfo[],
    private readonly index: IndexPoint[],
    private fd: number,
    private size: number,
    private line: number,
    private lineStart: number,
    private seq: number,
    private hash: string,
    private ts: string | null,
  ) {}

  static async open(options: FileJournalOptions): Promise<OpenResult> {
    const { dir } = options;
    const io = options.fs ?? nodeJournalFs;
    const log = options.log ?? (() => {});
    await fs.mkdir(dir, { recursive: true });
    // An archival or a prune the last process died in is finished or undone first.
    const tidied = options.archiveDir ? await tidyArchive(dir, options.archiveDir, log) : undefined;
    if (tidied && tidied.unreadable.length > 0) {
      throw new JournalError(`the archive is damaged (${tidied.unreadable.join('; ')}). Run "command-center verify" for details; start-up refuses rather than skip it.`, 'corrupt');
    }
    const names = await listRawSegments(dir);
    // in segment order (tidyArchive reads them in that order)
    const archives = tidied?.archives ?? new Map<string, ArchiveInfo>();
    const mark = await readPruneMark(options.archiveDir);

    let start: { state: ScanState; segment: number; segments: SegmentInfo[]; lineStart: number } | undefined;
    let resumedFrom = -1;
    for (const [i, p] of (options.resumeFrom ?? []).entries()) {
      if (await FileJournal.positionHolds(dir, names, p)) {
        const segments = p.segments.filter((s) => names.includes(s.name) || archives.has(s.name));
        start = {
          state: { hash: p.hash, nextSeq: p.seq + 1, offset: p.offset, line: p.line },
          segment: names.indexOf(p.segment),
          segments,
          lineStart: p.lineStart,
        };
        resumedFrom = i;
        break;
      }
      log('snapshot position does not match the journal; trying an older one', { seq: p.seq, segment: p.segment });
    }
    // a full replay starts where the kept chain does: seq 1, or right after a recorded prune
    start ??= {
      state: { hash: mark?.boundaryHash ?? GENESIS_HASH, nextSeq: (mark?.throughSeq ?? 0) + 1, offset: 0, line: 1 },
      segment: 0,
      segments: [],
      lineStart: 0,
    };
    options.onResume?.(resumedFrom);

    const index: IndexPoint[] = start.segments.map((s, i) => ({ seq: s.firstSeq, segment: i, offset: 0, line: 1, hash: '' }));
    // index points before the resume point carry no hash; reads from them verify nothing but the chain after
    const segments = [...start.segments];
    let state = start.state;
    let lastTs: string | null = null;
    let replayed = 0;
    let truncatedBytes = 0;
    let lineStart = start.lineStart;
    // Small on purpose: every cached event outlives a young-generation GC and gets copied, which
    // cost ~2 us an append at 256 appenders with 10,000. Reads further back use the index.
    const recentLimit = options.recentLimit ?? 1_000;
    let tail =
      resumedFrom >= 0 ? { segment: names[start.segment]!, offset: start.state.offset, line: start.state.line, lineStart: start.lineStart } : undefined;

    // A full replay reads the archived segments first, streamed block by block.
    for (const info of resumedFrom < 0 ? archives.values() : []) {
      const { header } = info;
      const name = path.basename(info.file);
      if (header.firstSeq !== state.nextSeq) throw corrupt(name, 1, `the archive starts at seq ${header.firstSeq}, expected ${state.nextSeq}`);
      segments.push({ name: header.segment, firstSeq: header.firstSeq });
      index.push({ seq: header.firstSeq, segment: segments.length - 1, offset: 0, line: 1, hash: '' });
      const check = await checkArchive(info, state.hash, (l) => {
        const event = parseEvent(l.eventJson);
        lastTs = event.ts;
        replayed += 1;
        options.onReplay?.(event);
      });
      if (!check.ok) throw corrupt(name, check.line, check.problem);
      state = { hash: header.lastHash, nextSeq: header.lastSeq + 1, offset: 0, line: 1 };
    }

    for (let s = Math.max(0, start.segment); s < names.length; s++) {
      const name = names[s]!;
      if (!segments.some((x) => x.name === name)) segments.push({ name, firstSeq: state.nextSeq });
      const segIndex = segments.findIndex((x) => x.name === name);
      const end = await scanSegment(path.join(dir, name), state, (l) => {
        if ((l.seq - 1) % INDEX_EVERY === 0 || l.start === 0) {
          index.push({ seq: l.seq, segment: segIndex, offset: l.start, line: l.line, hash: '' });
        }
        const event = parseEvent(l.eventJson);
        lastTs = event.ts;
        lineStart = l.start;
        tail = { segment: name, offset: l.end, line: l.line + 1, lineStart: l.start };
        replayed += 1;
        // The replayed tail is not kept in the read cache: holding thousands of parsed events
        // through the scan made the garbage collector copy each one. Reads of it go to disk.
        options.onReplay?.(event);
      });
      if (end.kind === 'corrupt') throw corrupt(name, end.state.line, end.problem);
      state = end.state;
      if (end.kind === 'torn') {
        if (s !== names.length - 1) throw corrupt(name, end.state.line, `an incomplete line in a segment that is not the last (${end.tornBytes} bytes)`);
        await fs.truncate(path.join(dir, name), end.state.offset);
        truncatedBytes = end.tornBytes;
        log('truncated a torn last line left by a crash', { segment: name, offset: end.state.offset, bytes: end.tornBytes });
      }
      if (s < names.length - 1) state = { ...state, offset: 0, line: 1 };
    }

    if (lastTs === null && state.nextSeq > 1) lastTs = await FileJournal.tsAt(dir, start, names);

    let current = names[names.length - 1];
    if (!current) {
      // every sealed segment archived (a restore, say): the live one comes after them
      const lastArchived = [...archives.keys()].pop();
      current = segmentName(lastArchived ? segmentNumber(lastArchived) + 1 : 1);
      segments.push({ name: current, firstSeq: state.nextSeq });
      index.push({ seq: state.nextSeq, segment: segments.length - 1, offset: 0, line: 1, hash: '' });
    }
    const fd = await io.open(path.join(dir, current), 'a+');
    await io.close(fd);
    await fsyncDirectory(io, dir);
    const writeFd = await io.open(path.join(dir, current), 'r+');
    const stat = await fs.stat(path.join(dir, current));
    const journal = new FileJournal(
      dir,
      io,
      options.segmentBytes ?? DEFAULT_SEGMENT_BYTES,
      recentLimit,
      segments,
      index,
      writeFd,
      stat.size,
      state.line,
      lineStart,
      state.nextSeq - 1,
      state.hash,
      lastTs,
    );
    journal.tail = tail ?? { segment: current, offset: 0, line: 1, lineStart: 0 };
    journal.archives = archives;
    journal.prunedThrough = mark?.throughSeq ?? 0;
    return { journal, resumedFrom, replayed, truncatedBytes };
  }

  // The snapshot's claim: the line ending at `offset` in `segment` has this seq and hash.
  private static async positionHolds(dir: string, names: string[], p: Position): Promise<boolean> {
    if (!names.includes(p.segment) || p.offset <= p.lineStart) return false;
    try {
      const handle = await fs.open(path.join(dir, p.segment), 'r');
      try {
        const buffer = Buffer.alloc(p.offset - p.lineStart);
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, p.lineStart);
        if (bytesRead !== buffer.length || buffer[buffer.length - 1] !== 10) return false;
        const text = buffer.toString('utf8', 0, buffer.length - 1);
        return text.startsWith(`{"hash":"${p.hash}","event":{"seq":${p.seq},`);
      } finally {
        await handle.close();
      }
    } catch {
      return false;
    }
  }

  private static async tsAt(dir: string, start: { lineStart: number; segment: number }, names: string[]): Promise<string | null> {
    const name = names[start.segment];
    if (!name) return null;
    const handle = await fs.open(path.join(dir, name), 'r');
    try {
      const buffer = Buffer.alloc(64 * 1024);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, start.lineStart);
      const text = buffer.toString('utf8', 0, bytesRead);
      const match = /"ts":"([^"]+)"/.exec(text);
      return match?.[1] ?? null;
    } finally {
      await handle.close();
    }
  }

  get lastSeq(): number {
    return this.seq;
  }

  get lastTs(): string | null {
    return this.ts;
  }

  get subscribers(): number {
    return this.fanout.size;
  }

  position(): Position {
    return { seq: this.seq, hash: this.hash, ...this.tail, segments: this.segments.map((s) => ({ ...s })) };
  }

  append(drafts: readonly Unsequenced[]): Promise<Envelope[]> {
    if (this.closed) return Promise.reject(new JournalError('journal is closed', 'closed'));
    if (drafts.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      this.pending.push({ drafts, resolve, reject });
      // Callers that arrive while a write is in flight share the next write and fsync.
      this.flushing ??= new Promise<void>((done) => setImmediate(() => this.flushLoop().finally(done)));
    });
  }

  private async flushLoop(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0);
      await this.writeBatch(batch);
    }
    this.flushing = null;
  }

  private async writeBatch(batch: Pending[]): Promise<void> {
    let seq = this.seq;
    let hash = this.hash;
    let ts = this.ts;
    let length = 0;
    const lineLengths: number[] = [];
    const results: Envelope[][] = [];
    for (const p of batch) {
      const events: Envelope[] = [];
      for (const d of p.drafts) {
        seq += 1;
        ts = monotonicTs(d.ts, ts);
        // seq first: readers find it at a fixed offset without parsing the line; `v` only on
        // payloads of a later schema version (upcast.ts)
        const event = (
          d.v === undefined
            ? { seq, id: d.id, ts, type: d.type, tenant: d.tenant, source: d.source, actor: d.actor, data: d.data }
            : { seq, v: d.v, id: d.id, ts, type: d.type, tenant: d.tenant, source: d.source, actor: d.actor, data: d.data }
        ) as Envelope;
        const json = JSON.stringify(event);
        hash = chainHash(hash, json);
        const line = encodeLine(hash, json);
        // a UTF-16 code unit takes at most 3 bytes in UTF-8
        if (length + line.length * 3 > this.out.length) this.out = grown(this.out, length, length + line.length * 3);
        const bytes = this.out.write(line, length);
        lineLengths.push(bytes);
        length += bytes;
        events.push(event);
      }
      results.push(events);
    }
    const buffer = this.out.subarray(0, length);
    try {
      if (this.size > 0 && this.size + buffer.length > this.segmentBytes) await this.rotate(this.seq + 1);
      if (this.dirty) {
        await this.io.ftruncate(this.fd, this.size);
        this.dirty = false;
      }
      for (let written = 0; written < buffer.length; ) {
        this.dirty = true;
        written += await this.io.write(this.fd, buffer, written, buffer.length - written, this.size + written);
      }
      await this.io.fdatasync(this.fd);
      this.dirty = false;
    } catch (error) {
      await this.io.ftruncate(this.fd, this.size).then(
        () => (this.dirty = false),
        () => {},
      );
      const failure = new JournalError(`journal write failed, nothing was recorded: ${(error as Error).message}`, 'unavailable', {
        cause: error,
      });
      for (const p of batch) p.reject(failure);
      return;
    }
    this.commit(lineLengths, seq, hash, ts, results.flat());
    batch.forEach((p, i) => p.resolve(results[i]!));
  }

  private commit(lineLengths: number[], seq: number, hash: string, ts: string | null, events: Envelope[]): void {
    const segment = this.segments.length - 1;
    let offset = this.size;
    events.forEach((e, i) => {
      if ((e.seq - 1) % INDEX_EVERY === 0) this.index.push({ seq: e.seq, segment, offset, line: this.line + i, hash: '' });
      this.lineStart = offset;
      offset += lineLengths[i]!;
    });
    this.size = offset;
    this.line += events.length;
    this.seq = seq;
    this.hash = hash;
    this.ts = ts;
    this.tail = { segment: this.segments[segment]!.name, offset: this.size, line: this.line, lineStart: this.lineStart };
    this.recent.push(...events);
    if (this.recent.length > this.recentLimit * 2) this.recent.splice(0, this.recent.length - this.recentLimit);
    this.fanout.publish(events);
  }

  private async rotate(firstSeq: number): Promise<void> {
    const name = segmentName(segmentNumber(this.segments[this.segments.length - 1]!.name) + 1);
    const fd = await this.io.open(path.join(this.dir, name), 'wx+');
    try {
      await fsyncDirectory(this.io, this.dir);
    } catch (error) {
      await this.io.close(fd);
      await fs.unlink(path.join(this.dir, name)).catch(() => {});
      throw error;
    }
    await this.io.close(this.fd);
    this.fd = fd;
    this.segments.push({ name, firstSeq });
    this.index.push({ seq: firstSeq, segment: this.segments.length - 1, offset: 0, line: 1, hash: '' });
    this.size = 0;
    this.line = 1;
    this.lineStart = 0;
  }

  async read(q: ReadQuery): Promise<Envelope[]> {
    const after = Math.max(this.prunedThrough, q.after);
    const limit = Math.max(0, q.limit);
    const out: Envelope[] = [];
    if (limit === 0 || after >= this.seq) return out;
    const committed = this.seq;
    let from = after;
    // Appends may trim the cache while a disk read is awaited: look at it again after each one,
    // or the events it dropped meanwhile would be skipped.
    for (let oldest = this.recent[0]?.seq ?? committed + 1; from + 1 < oldest; oldest = this.recent[0]?.seq ?? committed + 1) {
      const reached = await this.readFromDisk(from, Math.min(committed, oldest - 1), q, out, limit);
      if (out.length >= limit || reached >= committed) return out;
      if (reached <= from) throw new JournalError(`journal segments end at seq ${from}, before seq ${committed}`, 'unavailable');
      from = reached;
    }
    const base = this.recent[0]?.seq ?? committed + 1;
    for (let i = Math.max(0, from + 1 - base); i < this.recent.length && out.length < limit; i++) {
      const e = this.recent[i]!;
      if (e.seq > committed) break;
      if (e.seq > from && matches(e, q)) out.push(e);
    }
    return out;
  }

  // Reads events after..upTo from the segments, starting at the nearest index point.
  private async readFromDisk(after: number, upTo: number, q: ReadQuery, out: Envelope[], limit: number): Promise<number> {
    let point: IndexPoint | undefined;
    for (let lo = 0, hi = this.index.length - 1; lo <= hi; ) {
      const mid = (lo + hi) >> 1;
      if (this.index[mid]!.seq <= after + 1) {
        point = this.index[mid];
        lo = mid + 1;
      } else hi = mid - 1;
    }
    point ??= { seq: 1, segment: 0, offset: 0, line: 1, hash: '' };
    let last = after;
    for (let s = point.segment; s < this.segments.length && last < upTo && out.length < limit; s++) {
      const name = this.segments[s]!.name;
      const file = path.join(this.dir, name);
      // archived (or pruned) while this read was on its way: look where it lives now
      const handle = this.archives.has(name) ? undefined : await fs.open(file, 'r').catch(unlessMissing);
      if (!handle) {
        const archived = this.archives.get(name);
        if (archived) last = await this.readArchive(archived, last, upTo, q, out, limit);
        continue;
      }
      try {
        const { size } = await handle.stat();
        let position = s === point.segment ? point.offset : 0;
        let carry = Buffer.alloc(0);
        while (position < size && last < upTo && out.length < limit) {
          const chunk = Buffer.allocUnsafe(Math.min(1 << 20, size - position));
          const { bytesRead } = await handle.read(chunk, 0, chunk.length, position);
          if (bytesRead === 0) break;
          // the file offset of data[0]
          const base = position - carry.length;
          position += bytesRead;
          // Split bytes, not decoded text: a chunk may end inside a multi-byte character.
          const data = carry.length > 0 ? Buffer.concat([carry, chunk.subarray(0, bytesRead)]) : chunk.subarray(0, bytesRead);
          let start = 0;
          for (let nl = data.indexOf(10); nl >= 0; start = nl + 1, nl = data.indexOf(10, start)) {
            const json = data.toString('utf8', start + EVENT_OFFSET, nl - 1);
            const seq = Number.parseInt(json.slice(7), 10);
            if ((seq - 1) % INDEX_EVERY === 0) this.learn(seq, s, base + start);
            if (seq <= after) continue;
            if (seq > upTo) break;
            last = seq;
            const e = parseEvent(json);
            if (matches(e, q)) out.push(e);
            if (out.length >= limit) break;
          }
          carry = Buffer.from(data.subarray(start));
        }
      } finally {
        await handle.close();
      }
    }
    return last;
  }

  // An index point found by a read (after a start from a snapshot, the index knows only where
  // each segment begins): the next read of that stretch starts close to it, not at the
  // segment's first line. Paging through a day of history costs a page per page, not a
  // segment per page.
  private learn(seq: number, segment: number, offset: number): void {
    let lo = 0;
    for (let hi = this.index.length; lo < hi; ) {
      const mid = (lo + hi) >> 1;
      if (this.index[mid]!.seq < seq) lo = mid + 1;
      else hi = mid;
    }
    if (this.index[lo]?.seq !== seq) this.index.splice(lo, 0, { seq, segment, offset, line: 0, hash: '' });
  }

  subscribe(after: number, listener: Listener, onError?: (error: Error) => void): Subscription {
    return this.fanout.subscribe(this, after, listener, onError);
  }

  private async readArchive(info: ArchiveInfo, after: number, upTo: number, q: ReadQuery, out: Envelope[], limit: number): Promise<number> {
    try {
      return await readArchived(
        info,
        after,
        upTo,
        (json) => {
          const e = parseEvent(json);
          if (matches(e, q)) out.push(e);
          return out.length < limit;
        },
        this.blockCache,
      );
    } catch (error) {
      // pruned meanwhile: those events are gone on purpose
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' && !this.archives.has(info.header.segment)) return after;
      throw error;
    }
  }

  // Every segment but the live one, oldest first, with its archive once it has one.
  sealed(): SealedSegment[] {
    const out: SealedSegment[] = [];
    for (let i = 0; i + 1 < this.segments.length; i++) {
      const { name, firstSeq } = this.segments[i]!;
      const lastSeq = this.segments[i + 1]!.firstSeq - 1;
      if (lastSeq <= this.prunedThrough) continue;
      out.push({ name, firstSeq, lastSeq, archived: this.archives.get(name) });
    }
    return out;
  }

  get firstSeq(): number {
    return this.prunedThrough + 1;
  }

  // The archiver renamed a segment's archive into place: reads use it from now on, so the raw
  // segment can go.
  adoptArchive(info: ArchiveInfo): void {
    this.archives.set(info.header.segment, info);
  }

  // Events up to `throughSeq` are about to be deleted: reads start after them from now on.
  forgetThrough(throughSeq: number): void {
    this.prunedThrough = Math.max(this.prunedThrough, throughSeq);
    for (const [name, info] of this.archives) if (info.header.lastSeq <= this.prunedThrough) this.archives.delete(name);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    while (this.flushing) await this.flushing;
    // Bytes of a failed write that could not be cut then: cut them now, or the next open
    // would read back whole lines of an append that was refused.
    if (this.dirty) {
      await this.io
        .ftruncate(this.fd, this.size)
        .then(() => this.io.fdatasync(this.fd))
        .catch(() => {});
    }
    await this.io.close(this.fd);
  }
}

export { GENESIS_HASH };
