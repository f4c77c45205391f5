import fs from 'node:fs/promises';
import { readPruneMark } from '../journal/chain.ts';
import { FileJournal } from '../journal/file-journal.ts';
import type { JournalFs } from '../journal/journal-fs.ts';
import type { Logger } from '../logger.ts';
import { PROJECTION_VERSION } from '../domain/projection.ts';
import { Checkpointer } from '../projections/checkpointer.ts';
import { CheckpointStore, DEFAULT_CHECKPOINT_EVERY } from '../projections/checkpoints.ts';
import { Projector } from '../projections/projector.ts';
import { startingPoint } from '../projections/replay.ts';
import { diskUsage } from './disk-usage.ts';
import { lockDirectory } from './lock.ts';
import { SnapshotStore } from './snapshot-store.ts';
import type { Store } from './store.ts';
import { dataDirs } from './data-dir.ts';

// one progress line per this many events replayed at start-up (about every 5 s)
const REPLAY_PROGRESS_EVERY = 1_000_000;

export interface FileStoreOptions {
  dataDir: string;
  log: Logger;
  fs?: JournalFs;
  segmentBytes?: number;
  // write a snapshot after this many new events (and on close)
  snapshotEvery?: number;
  // write a checkpoint of the projections every this many events (data/checkpoints)
  checkpointEvery?: number;
  // below this much free disk, usage() reports it low (health turns degraded)
  minFreeMb?: number;
  // log a progress line every this many events a start-up replays (default 1,000,000)
  replayProgressEvery?: number;
  // told the number of events replayed so far, every 10,000 (the server's "starting" health)
  onReplayProgress?: (replayed: number) => void;
}

export interface FileStore extends Store {
  readonly kind: 'file';
  readonly journal: FileJournal;
  readonly checkpoints: CheckpointStore;
  readonly checkpointer: Checkpointer;
  // settles once the missing checkpoints were written (or the store closed)
  readonly backfilled: Promise<number>;
  readonly dirs: { data: string; journal: string; archive: string; checkpoints: string };
}

// The embedded default: a locked data directory with the journal and its snapshot.
export const openFileStore = async (options: FileStoreOptions): Promise<FileStore> => {
  const { dataDir, log } = options;
  await fs.mkdir(dataDir, { recursive: true });
  const lock = lockDirectory(dataDir, (m, f) => log.warn(m, f));
  try {
    const started = performance.now();
    const snapshots = new SnapshotStore(dataDir);
    const leftovers = await snapshots.removeLeftovers();
    if (leftovers.length > 0) log.warn('removed snapshot files left by an interrupted write', { files: leftovers });
    const candidates = await snapshots.candidates((m, f) => log.warn(m, f));
    const dirs = dataDirs(dataDir);
    const checkpoints = new CheckpointStore(dirs.checkpoints);
    const stale = await checkpoints.removeStale();
    if (stale.length > 0) log.info('removed checkpoints of another projection version or left by an interrupted write', { files: stale.length });
    // After a prune, a replay without a snapshot starts from the state the pruner kept at the boundary.
    const mark = await readPruneMark(dirs.archive);
    const boundary = mark ? await startingPoint(checkpoints, { seq: mark.throughSeq }, mark.throughSeq) : undefined;
    let projector = new Projector();
    let replayed = 0;
    const opened = await FileJournal.open({
      dir: dirs.journal,
      archiveDir: dirs.archive,
      fs: options.fs,
      segmentBytes: options.segmentBytes,
      resumeFrom: candidates.map((c) => c.position),
      log: (m, f) => log.warn(m, f),
      onResume: (i) => {
        const accepted = candidates[i];
        if (accepted) projector = Projector.from(accepted.state);
        else if (boundary) projector = boundary;
        else if (mark) {
          log.error('events before the prune boundary are gone and no checkpoint holds their state: the projections start empty there', {
            throughSeq: mark.throughSeq,
          });
        }
      },
      onReplay: (e) => {
        projector.apply(e);
        // A full replay of a long journal (no usable snapshot, or a projection upgrade) takes
        // minutes: say how far it is, so a slow start does not look like a hung one.
        if (++replayed % 10_000 === 0) options.onReplayProgress?.(replayed);
        if (replayed % (options.replayProgressEvery ?? REPLAY_PROGRESS_EVERY) === 0) {
          log.info('replaying the journal', { seq: e.seq, replayed, ms: Math.round(performance.now() - started) });
        }
      },
    });
    const resumed = candidates[opened.resumedFrom];
    const journal = opened.journal;
    log.info('journal opened', {
      seq: journal.lastSeq,
      snapshot: resumed?.file ?? 'none',
      replayed: opened.replayed,
      truncatedBytes: opened.truncatedBytes,
      ms: Math.round(performance.now() - started),
    });

    const snapshotEvery = options.snapshotEvery ?? 10_000;
    let snapshotSeq = resumed?.position.seq ?? 0;
    let snapshotting: Promise<void> | null = null;
    const snapshot = async (): Promise<void> => {
      if (journal.lastSeq === snapshotSeq) return;
      // Position and state are taken in the same tick, so they describe the same seq.
      const position = journal.position();
      const state = projector.toState();
      snapshotSeq = position.seq;
      await snapshots.write({ format: 1, projectionVersion: PROJECTION_VERSION, position, state }).catch((error: unknown) => {
        log.error('snapshot failed; start-up will replay a longer tail', { error: (error as Error).message });
      });
    };
    const checkpointer = new Checkpointer(checkpoints, options.checkpointEvery ?? DEFAULT_CHECKPOINT_EVERY, log);
    const subscription = journal.subscribe(journal.lastSeq, (events) => {
      for (const e of events) {
        projector.apply(e);
        checkpointer.applied(e, projector);
      }
      if (!snapshotting && journal.lastSeq - snapshotSeq >= snapshotEvery) {
        snapshotting = snapshot().finally(() => (snapshotting = null));
      }
    });

    // the stretches no checkpoint covers yet (a journal older than checkpoints), in the background
    const backfill = checkpointer.backfill(journal, journal.lastSeq, journal.firstSeq - 1).catch((error: unknown) => {
      log.warn('checkpoint backfill stopped', { error: (error as Error).message });
      return 0;
    });
    const usage = diskUsage(dataDir, options.minFreeMb);

    return {
      kind: 'file',
      journal,
      checkpoints,
      checkpointer,
      backfilled: backfill,
      dirs,
      firstSeq: () => journal.firstSeq,
      usage,
      get projector() {
        return projector;
      },
      snapshot: async () => {
        while (snapshotting) await snapshotting;
        await snapshot();
      },
      close: async () => {
        checkpointer.stop();
        await backfill;
        // Drain the writer first, so every event in the snapshot's position is in its state.
        await journal.close();
        await checkpointer.settled();
        subscription.close();
        while (snapshotting) await snapshotting;
        await snapshot();
        lock.release();
      },
    };
  } catch (error) {
    lock.release();
    throw error;
  }
};
