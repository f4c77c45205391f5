import { unavailable } from '../domain/errors.ts';
import { asOf, type AsOf, type ScheduleView, scheduleView, summarize, type Summary } from '../domain/projection.ts';
import type { AuditEntry } from '../domain/audit.ts';
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
  const projector = await startingPoint(options.checkpoints, point, floor);
  if (!projector) throw unavailable(`events 1..${floor} were pruned and no checkpoint holds the state as of seq ${floor}`);
  for await (const e of walkJournal(journal, {}, upTo, projector.seq)) {
    // ts never decreases along seq, so the first event past `at` ends the replay
    if (Date.parse(e.ts) > atMs) break;
    projector.apply(e);
  }
  return projector;
};

// Where a replay to the point folds from: the newest readable checkpoint at or before it (a
// damaged one is passed over); with none, empty projections at seq 0 — unless events up to
// `floorSeq` were pruned, when there is no start (undefined).
export const startingPoint = async (checkpoints: CheckpointStore | undefined, point: ReplayPoint, floorSeq = 0): Promise<Projector | undefined> => {
  const entries = checkpoints ? await checkpoints.list() : [];
  for (let best = checkpoints ? await checkpoints.nearest(point, floorSeq) : undefined; best; ) {
    try {
      return Projector.from(await checkpoints!.load(best));
    } catch {
      const below = entries.filter((e) => e.seq < best!.seq && e.seq >= floorSeq).pop();
      best = below;
    }
  }
  return floorSeq > 0 ? undefined : new Projector();
};

export interface ReplayView {
  asOf: AsOf;
  schedules: ScheduleView[];
  audit: AuditEntry[];
  summary: Summary;
}

// What GET /api/replay and `command-center replay` answer. Time-dependent fields (stale, next
// run) are judged at the point itself (`atMs`, else the last event's time), not now.
export const replayView = (projector: Projector, atMs?: number): ReplayView => {
  const pointMs = atMs ?? (projector.lastEvent ? Date.parse(projector.lastEvent.ts) : 0);
  return {
    asOf: asOf(projector.seq, projector.lastEvent),
    schedules: [...projector.schedules.values()].sort((a, b) => (a.tenant < b.tenant ? -1 : 1)).map((s) => scheduleView(s, pointMs)),
    audit: projector.auditEntries(),
    summary: summarize(projector.schedules.values(), projector.seq, projector.lastEvent, pointMs),
  };
};
