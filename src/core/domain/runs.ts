import type { Envelope, ErrorClass, RunnerName, Trigger } from './events.ts';

export const RUNS_LIMIT = 500;

export interface RunRecord {
  runId: string;
  tenant: string;
  runner?: RunnerName;
  trigger: Trigger;
  attempt: number;
  scheduledFor: string;
  startedAt: string;
  outcome: 'running' | 'succeeded' | 'failed';
  finishedAt?: string;
  durationMs?: number;
  error?: string;
  errorClass?: ErrorClass;
  imported?: number;
}

// Recent runs, newest started first. Returns the same array when the event is not about a
// run, so callers can tell cheaply that nothing changed.
export const evolveRuns = (
  runs: readonly RunRecord[],
  e: Envelope,
  runner?: RunnerName,
): readonly RunRecord[] => {
  switch (e.type) {
    case 'run.started': {
      const record: RunRecord = {
        runId: e.data.runId,
        tenant: e.tenant,
        trigger: e.data.trigger,
        attempt: e.data.attempt,
        scheduledFor: e.data.scheduledFor,
        startedAt: e.ts,
        outcome: 'running',
      };
      if (runner) record.runner = runner;
      const next = [record, ...runs];
      if (next.length > RUNS_LIMIT) next.length = RUNS_LIMIT;
      return next;
    }
    case 'run.succeeded':
    case 'run.failed': {
      const index = runs.findIndex((r) => r.runId === e.data.runId);
      if (index < 0) return runs;
      const finished = finishRun(runs[index]!, e);
      return runs.map((r, i) => (i === index ? finished : r));
    }
    default:
      return runs;
  }
};

export const finishRun = (r: RunRecord, e: Extract<Envelope, { type: 'run.succeeded' | 'run.failed' }>): RunRecord => {
  // Not `{ ...r, finishedAt, … }`: on Node 20 a spread followed by keys the source lacks takes
  // V8's slow path (~5 µs a call), the single largest cost of a full replay.
  const done: RunRecord = Object.assign({}, r, { finishedAt: e.ts, durationMs: e.data.durationMs });
  if (e.type === 'run.succeeded') {
    done.outcome = 'succeeded';
    if (typeof e.data.result?.imported === 'number') done.imported = e.data.result.imported;
  } else {
    done.outcome = 'failed';
    done.error = e.data.error;
    done.errorClass = e.data.errorClass;
  }
  return done;
};
