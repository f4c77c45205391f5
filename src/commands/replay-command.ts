import path from 'node:path';
import { upcast } from '../core/domain/upcast.ts';
import { archiveDirOf, readPruneMark } from '../core/journal/chain.ts';
import { readChain } from '../core/journal/chain-reader.ts';
import { JournalError } from '../core/journal/journal.ts';
import { CheckpointStore } from '../core/projections/checkpoints.ts';
import { replayView, startingPoint } from '../core/projections/replay.ts';
import { dataDirs } from '../core/store/data-dir.ts';

// `replay --seq N | --at ISO`: the projections as they were, as JSON — the same answer as
// GET /api/replay, read from the files, so it works beside a running server without taking
// its lock. It starts from the newest checkpoint at or before the point and reads (checking
// the hash chain of what it reads) only the events from there, so a point a year back is as
// quick as yesterday.
export const replayCommand = async (
  journalDir: string,
  point: { seq?: string | undefined; at?: string | undefined },
  out: (text: string) => void,
  err: (text: string) => void,
): Promise<number> => {
  const seq = point.seq !== undefined ? Number(point.seq) : undefined;
  const atMs = point.at !== undefined ? Date.parse(point.at) : undefined;
  if ((seq === undefined) === (atMs === undefined) || (seq !== undefined && !(Number.isInteger(seq) && seq >= 0)) || (atMs !== undefined && Number.isNaN(atMs))) {
    err('replay needs exactly one of --seq N (a whole number) or --at ISO-8601 time\n');
    return 2;
  }
  const checkpoints = new CheckpointStore(dataDirs(path.dirname(journalDir)).checkpoints);
  const floor = (await readPruneMark(archiveDirOf(journalDir)))?.throughSeq ?? 0;
  if (seq !== undefined && seq < floor) {
    err(`events before seq ${floor + 1} were pruned; ask for --seq ${floor} or later\n`);
    return 2;
  }
  const projector = (await startingPoint(checkpoints, seq !== undefined ? { seq } : { at: point.at! }, floor));
  if (!projector) {
    err(`events 1..${floor} were pruned and no checkpoint holds the state as of seq ${floor}\n`);
    return 1;
  }
  try {
    await readChain(journalDir, { after: projector.seq, upTo: seq }, (json) => {
      const e = upcast(JSON.parse(json) as Record<string, unknown>);
      if (atMs !== undefined && Date.parse(e.ts) > atMs) return false;
      projector.apply(e);
      return true;
    });
  } catch (error) {
    if (!(error instanceof JournalError)) throw error;
    err(`the journal is damaged: ${error.message}\n`);
    return 1;
  }
  if (seq !== undefined && seq > projector.seq) {
    err(`--seq ${seq} is past the journal's last seq (${projector.seq})\n`);
    return 2;
  }
  out(`${JSON.stringify(replayView(projector, atMs), null, 2)}\n`);
  return 0;
};
