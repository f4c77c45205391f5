import fs from 'node:fs/promises';
import path from 'node:path';
import { FileJournal } from '../journal/file-journal.ts';
import type { JournalFs } from '../journal/journal-fs.ts';
import type { Logger } from '../logger.ts';
import { Projector } from '../projections/projector.ts';
import { lockDirectory } from './lock.ts';
import { SnapshotStore } from './snapshot-store.ts';
import type { Store } from './store.ts';

export interface FileStoreOptions {
  dataDir: string;
  log: Logger;
  fs?: JournalFs;
  segmentBytes?: number;
  // write a snapshot after this many new events (and on close)
  snapshotEvery?: number;
}

// The embedded default: a locked data directory with the journal and its snapshot.
export const openFileStore = async (options: FileStoreOptions): Promise<Store> => {
  const { dataDir, log } = options;
  await fs.mkdir(dataDir, { recursive: true });
  const lock = lockDirectory(dataDir, (m, f) => log.warn(m, f));
  try {
    const started = performance.now();
    const snapshots = new SnapshotStore(dataDir);
    const leftovers = await snapshots.removeLeftovers();
    if (leftovers.length > 0) log.warn('removed snapshot files left by an interrupted write', { files: leftovers });
    const candidates = await snapshots.candidates((m, f) => log.warn(m, f));
    let projector = new Projector();
    const opened = await FileJournal.open({
      dir: path.join(dataDir, 'journal'),
      fs: options.fs,
      segmentBytes: options.segmentBytes,
      resumeFrom: candidates.map((c) => c.position),
      log: (m, f) => log.warn(m, f),
      onResume: (i) => {
        const accepted = candidates[i];
        if (accepted) projector = Projector.from(accepted.state);
      },
      onReplay: (e) => projector.apply(e),
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
      await snapshots.write({ format: 1, position, state }).catch((error: unknown) => {
        log.error('snapshot failed; start-up will replay a longer tail', { error: (error as Error).message });
      });
    };
    const subscription = journal.subscribe(journal.lastSeq, (events) => {
      for (const e of events) projector.apply(e);
      if (!snapshotting && journal.lastSeq - snapshotSeq >= snapshotEvery) {
        snapshotting = snapshot().finally(() => (snapshotting = null));
      }
    });

    return {
      kind: 'file',
      journal,
      get projector() {
        return projector;
      },
      snapshot: async () => {
        while (snapshotting) await snapshotting;
        await snapshot();
      },
      close: async () => {
        // Drain the writer first, so every event in the snapshot's position is in its state.
        await journal.close();
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
