import { unavailable } from '../domain/errors.ts';
import type { Journal } from '../journal/journal.ts';
import type { CheckpointStore } from './checkpoints.ts';
import { Projector } from './projector.ts';
import { walkJournal } from './journal-walk.ts';

export type ReplayPoint = { seq: number } | { at: string };

export interface ReplayOptions {
  // start from the newest checkpoint at or before the point instead of seq 1
  checkpoints?: CheckpointStore | undefined;
  // the first seq the journal still holds (after a prune); the state before it lives only in a checkpoint
  firstSeq?: number;
}

// The projections as of a point: after every event with seq ≤ `seq`, or with ts ≤ `at`.
// It applies the same pure rules as the live read model (Projector is evolve in mutable
// containers, O(1) an event), from the nearest checkpoint when there is one, so the cost is
// at most one checkpoint interval of events however long the journal is.
export const replayTo = async (journal: Pick<Journal, 'read' | 'lastSeq'>, point: ReplayPoint, options: ReplayOptions = {}): Promise<Projector> => {
  const floor = (options.firstSeq ?? 1) - 1;
  const upTo = 'seq' in point ? point.seq : journal.lastSeq;
  const atMs = 'at' in point ? Date.parse(point.at) : Number.POSITIVE_INFINITY;
  const base = await startingPoint(options.checkpoints, point, floor);
  if (!base && floor > 0) throw unavailable(`events 1..${floor} were pruned and no checkpoint holds the state as of seq ${floor}`);
  const projector = base ?? new Projector();
  for await (const e of walkJournal(journal, {}, upTo, projector.seq)) {
    // ts never decreases along seq, so the first event past `at` ends the replay
    if (Date.parse(e.ts) > atMs) break;
    projector.apply(e);
  }
  return projector;
};

// The newest readable checkpoint at or before the point (a damaged one is passed over).
export const startingPoint = async (checkpoints: CheckpointStore | undefined, point: ReplayPoint, floorSeq = 0): Promise<Projector | undefined> => {
  if (!checkpoints) return undefined;
  const entries = await checkpoints.list();
  for (let best = await checkpoints.nearest(point, floorSeq); best; ) {
    try {
      return Projector.from(await checkpoints.load(best));
    } catch {
      const below = entries.filter((e) => e.seq < best!.seq && e.seq >= floorSeq).pop();
      best = below;
    }
  }
  return undefined;
};
