import fs from 'node:fs/promises';
import path from 'node:path';
import type { Clock } from '../clock.ts';
import type { EventData } from '../domain/events.ts';
import type { Logger } from '../logger.ts';
import type { Timers, TimerHandle } from '../timers.ts';
import { archiveName, readArchiveHeader, tsOf, writeArchive } from './archive-format.ts';
import { lastRawLine, PRUNE_MARK, readPruneMark } from './chain.ts';
import type { FileJournal, SealedSegment } from './file-journal.ts';
import { fsyncDirectory, nodeJournalFs } from './journal-fs.ts';
import { GENESIS_HASH } from './line-codec.ts';

export interface RetentionOptions {
  journal: FileJournal;
  journalDir: string;
  archiveDir: string;
  clock: Clock;
  log: Logger;
  // sealed segments whose newest event is older than this are archived
  retentionDays: number;
  // archived segments whose newest event is older than this are deleted; absent: never
  pruneDays?: number | undefined;
  // appends the journal.pruned event (through the command service); resolves once durable
  recordPrune?: (data: EventData<'journal.pruned'>) => Promise<void>;
  // before anything is cut: keep the projections as of `throughSeq` (a checkpoint)
  beforePrune?: (throughSeq: number) => Promise<void>;
  // told of each segment archived and each prune as it happens
  onChange?: (change: { archived: string } | { prunedThrough: number }) => void;
}

export interface RetentionPass {
  archived: string[];
  pruned: { fromSeq: number; toSeq: number; count: number; files: number } | undefined;
}

const DAY_MS = 24 * 3600 * 1000;

// Retention, run by the server that owns the data directory beside its writes: sealed segments
// past the retention period are compressed into data/archive, and archives past the prune
// limit are deleted with a journal.pruned event saying so. The live segment is never touched,
// so appends never wait for any of it.
//
// Crash-safe at every step. Archival: write NNNNNN.archive.tmp, fsync, rename, fsync the
// directory, switch reads to it, unlink the raw segment, fsync. A restart finds either the raw
// segment or the complete archive (both: tidyArchive keeps the archive), and removes .tmp.
// Prune: the event first (durable), then pruned.json (what was cut, fsynced), then the unlinks;
// a restart finishes the unlinks pruned.json names.
export class Retention {
  private running: Promise<RetentionPass> | undefined;
  private timer: TimerHandle | undefined;
  private timers: Timers | undefined;
  private stopped = false;

  constructor(private readonly options: RetentionOptions) {
    if (options.pruneDays !== undefined && options.pruneDays < options.retentionDays) {
      throw new Error(`the prune limit (${options.pruneDays} days) must not be shorter than the retention period (${options.retentionDays} days)`);
    }
  }

  // One pass; a pass asked for while one runs shares it.
  runOnce(): Promise<RetentionPass> {
    this.running ??= this.pass().finally(() => (this.running = undefined));
    return this.running;
  }

  // Passes every `everyMs`, the first after `firstMs`; a failed pass is logged and retried next time.
  start(timers: Timers, everyMs: number, firstMs = 5_000): void {
    this.timers = timers;
    const arm = (ms: number) => {
      if (this.stopped) return;
      this.timer = timers.setTimeout(() => {
        this.runOnce()
          .catch((error: unknown) => this.options.log.error('retention pass failed', { error: (error as Error).message }))
          .finally(() => arm(everyMs));
      }, ms);
    };
    arm(firstMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) this.timers?.clearTimeout(this.timer);
    await this.running?.catch(() => {});
  }

  private async pass(): Promise<RetentionPass> {
    const archived: string[] = [];
    const cutoff = this.options.clock.now() - this.options.retentionDays * DAY_MS;
    for (const segment of this.options.journal.sealed()) {
      if (this.stopped) break;
      if (segment.archived) continue;
      const last = await lastRawLine(path.join(this.options.journalDir, segment.name));
      // ts never decreases along seq: once a segment is too young, so are the ones after it
      if (!last || Date.parse(tsOf(last.eventJson)) >= cutoff) break;
      await this.archive(segment);
      archived.push(segment.name);
      this.options.onChange?.({ archived: segment.name });
    }
    const pruned = this.stopped ? undefined : await this.prune();
    return { archived, pruned };
  }

  private async archive(segment: SealedSegment): Promise<void> {
    const { journal, journalDir, archiveDir, log } = this.options;
    await fs.mkdir(archiveDir, { recursive: true });
    const raw = path.join(journalDir, segment.name);
    const final = path.join(archiveDir, archiveName(segment.name));
    const tmp = `${final}.tmp`;
    const started = performance.now();
    try {
      const header = await writeArchive(raw, segment.name, tmp, { prevHash: await this.hashBefore(segment), firstSeq: segment.firstSeq });
      if (header.lastSeq !== segment.lastSeq) throw new Error(`segment ${segment.name} ends at seq ${header.lastSeq}, expected ${segment.lastSeq}`);
      await fs.rename(tmp, final);
      await fsyncDirectory(nodeJournalFs, archiveDir);
    } catch (error) {
      await fs.rm(tmp, { force: true });
      throw error;
    }
    const info = await readArchiveHeader(final);
    journal.adoptArchive(info);
    await fs.rm(raw, { force: true });
    await fsyncDirectory(nodeJournalFs, journalDir);
    log.info('archived a segment', {
      segment: segment.name,
      seq: `${segment.firstSeq}..${segment.lastSeq}`,
      rawBytes: info.header.rawBytes,
      archiveBytes: info.bytes,
      ratio: Math.round((info.header.rawBytes / info.bytes) * 10) / 10,
      ms: Math.round(performance.now() - started),
    });
  }

  // The chain's hash before a segment's first line: the segment before it tells.
  private async hashBefore(segment: SealedSegment): Promise<string> {
    if (segment.firstSeq === 1) return GENESIS_HASH;
    const sealed = this.options.journal.sealed();
    const previous = sealed[sealed.findIndex((s) => s.name === segment.name) - 1];
    if (previous?.archived) return previous.archived.header.lastHash;
    if (previous) {
      const last = await lastRawLine(path.join(this.options.journalDir, previous.name));
      if (last?.seq === segment.firstSeq - 1) return last.hash;
    }
    const mark = await readPruneMark(this.options.archiveDir);
    if (mark?.throughSeq === segment.firstSeq - 1) return mark.boundaryHash;
    throw new Error(`cannot tell the hash before segment ${segment.name}`);
  }

  private async prune(): Promise<RetentionPass['pruned']> {
    const { pruneDays, recordPrune, journal, archiveDir, log } = this.options;
    if (pruneDays === undefined || !recordPrune) return undefined;
    const cutoff = this.options.clock.now() - pruneDays * DAY_MS;
    const doomed: NonNullable<SealedSegment['archived']>[] = [];
    for (const segment of journal.sealed()) {
      if (!segment.archived || Date.parse(segment.archived.header.lastTs) >= cutoff) break;
      doomed.push(segment.archived);
    }
    const first = doomed[0];
    const last = doomed[doomed.length - 1];
    if (!first || !last) return undefined;
    const cut = { fromSeq: first.header.firstSeq, toSeq: last.header.lastSeq, count: last.header.lastSeq - first.header.firstSeq + 1, boundaryHash: last.header.lastHash };
    await this.options.beforePrune?.(cut.toSeq);
    await recordPrune(cut);
    const mark = path.join(archiveDir, PRUNE_MARK);
    await fs.writeFile(`${mark}.tmp`, JSON.stringify({ throughSeq: cut.toSeq, boundaryHash: cut.boundaryHash }));
    const handle = await fs.open(`${mark}.tmp`, 'r+');
    await handle.sync().finally(() => handle.close());
    await fs.rename(`${mark}.tmp`, mark);
    await fsyncDirectory(nodeJournalFs, archiveDir);
    journal.forgetThrough(cut.toSeq);
    for (const info of doomed) await fs.rm(info.file, { force: true });
    await fsyncDirectory(nodeJournalFs, archiveDir);
    log.info('pruned archived events past the prune limit', { ...cut, files: doomed.length });
    this.options.onChange?.({ prunedThrough: cut.toSeq });
    return { fromSeq: cut.fromSeq, toSeq: cut.toSeq, count: cut.count, files: doomed.length };
  }
}
