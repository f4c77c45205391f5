import { asOf, scheduleView, summarize } from '../core/domain/projection.ts';
import { upcast } from '../core/domain/upcast.ts';
import { verifyJournal } from '../core/journal/verify.ts';
import { Projector } from '../core/projections/projector.ts';

// `replay --seq N | --at ISO`: the projections as they were, as JSON — the same answer as
// GET /api/replay, read from the segments (verified on the way), so it works beside a
// running server without taking its lock.
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
  const projector = new Projector();
  let done = false;
  const report = await verifyJournal(journalDir, (line) => {
    if (done) return;
    const e = upcast(JSON.parse(line.eventJson) as Record<string, unknown>);
    if ((seq !== undefined && e.seq > seq) || (atMs !== undefined && Date.parse(e.ts) > atMs)) {
      done = true;
      return;
    }
    projector.apply(e);
  });
  if (!report.ok && report.problem) {
    err(`the journal is damaged at segment ${report.problem.segment} line ${report.problem.line}: ${report.problem.message}\n`);
    return 1;
  }
  if (seq !== undefined && seq > report.lastSeq) {
    err(`--seq ${seq} is past the journal's last seq (${report.lastSeq})\n`);
    return 2;
  }
  const pointMs = atMs ?? (projector.lastEvent ? Date.parse(projector.lastEvent.ts) : 0);
  const schedules = [...projector.schedules.values()].sort((a, b) => (a.tenant < b.tenant ? -1 : 1)).map((s) => scheduleView(s, pointMs));
  out(
    `${JSON.stringify(
      {
        asOf: asOf(projector.seq, projector.lastEvent),
        schedules,
        audit: projector.auditEntries(),
        summary: summarize(projector.schedules.values(), projector.seq, projector.lastEvent, pointMs),
      },
      null,
      2,
    )}\n`,
  );
  return 0;
};
