import type { Journal } from '../journal/journal.ts';
import { Projector } from './projector.ts';
import { walkJournal } from './journal-walk.ts';

export type ReplayPoint = { seq: number } | { at: string };

// The projections as of a point: after every event with seq ≤ `seq`, or with ts ≤ `at`.
// It applies the same pure rules as the live read model (Projector is evolve in mutable
// containers, O(1) an event), so replay costs O(events) even with thousands of tenants.
export const replayTo = async (journal: Pick<Journal, 'read' | 'lastSeq'>, point: ReplayPoint): Promise<Projector> => {
  const projector = new Projector();
  const upTo = 'seq' in point ? point.seq : journal.lastSeq;
  const atMs = 'at' in point ? Date.parse(point.at) : Number.POSITIVE_INFINITY;
  for await (const e of walkJournal(journal, {}, upTo)) {
    // ts never decreases along seq, so the first event past `at` ends the replay
    if (Date.parse(e.ts) > atMs) break;
    projector.apply(e);
  }
  return projector;
};
