import { z } from 'zod';
import type { ErrorClass, RunnerName, Trigger } from '../domain/events.ts';

// A runner performs one import attempt. The scheduler owns timing, retries and recording;
// a runner only does the work and says how it went.
export interface RunRequest {
  tenant: string;
  runId: string;
  scheduledFor: string;
  trigger: Trigger;
  attempt: number;
  // what the last successful run returned, passed on so the import resumes from there
  watermark: unknown;
  // aborted on timeout and on shutdown
  signal: AbortSignal;
}

export interface RunResult {
  imported?: number;
  watermark?: unknown;
}

export interface Runner {
  readonly name: RunnerName;
  run(request: RunRequest): Promise<RunResult>;
}

// A failure the runner could classify. Anything else a runner throws is `internal`.
export class RunError extends Error {
  readonly retryAfterMs: number | undefined;

  constructor(
    readonly errorClass: ErrorClass,
    message: string,
    options: { retryAfterMs?: number; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'RunError';
    this.retryAfterMs = options.retryAfterMs;
  }
}

// What a result may look like; extra fields are dropped so the journal stays lean.
export const runResult = z.object({
  imported: z.number().int().nonnegative().optional(),
  watermark: z.json().optional(),
});

const MAX_RESULT_CHARS = 8 * 1024;

// undefined when the value is not a result this scheduler can record
export const parseRunResult = (value: unknown): RunResult | undefined => {
  const parsed = runResult.safeParse(value);
  if (!parsed.success) return undefined;
  if (JSON.stringify(parsed.data).length > MAX_RESULT_CHARS) return undefined;
  return parsed.data;
};
