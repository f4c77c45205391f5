import type { Clock } from '../clock.ts';
import type { ErrorClass } from '../domain/events.ts';
import { parseRunResult, RunError, type Runner, type RunRequest, type RunResult } from '../runners/runner.ts';
import type { Timers } from '../timers.ts';

export type AttemptOutcome =
  | { ok: true; result: RunResult; durationMs: number }
  | { ok: false; error: string; errorClass: ErrorClass; retryAfterMs?: number; durationMs: number };

const MAX_ERROR_CHARS = 500;
const clip = (message: string) => (message.length > MAX_ERROR_CHARS ? `${message.slice(0, MAX_ERROR_CHARS - 1)}…` : message);

// One attempt, bounded by its timeout. Whatever the runner does — throws, hangs, returns
// garbage, throws synchronously — this resolves with a classified outcome and never rejects.
export const runAttempt = async (options: {
  runner: Runner | undefined;
  runnerName: string;
  request: Omit<RunRequest, 'signal'>;
  controller: AbortController;
  timeoutMs: number;
  clock: Clock;
  timers: Timers;
}): Promise<AttemptOutcome> => {
  const { runner, request, controller, timeoutMs, clock, timers } = options;
  const started = clock.now();
  const failed = (errorClass: ErrorClass, error: string, retryAfterMs?: number): AttemptOutcome => {
    const outcome: AttemptOutcome = { ok: false, errorClass, error: clip(error), durationMs: clock.now() - started };
    if (retryAfterMs !== undefined && Number.isFinite(retryAfterMs) && retryAfterMs >= 0) outcome.retryAfterMs = retryAfterMs;
    return outcome;
  };
  if (!runner) return failed('internal', `runner "${options.runnerName}" is not configured on this server`);

  let timer: unknown;
  const timeout = new Promise<AttemptOutcome>((resolve) => {
    timer = timers.setTimeout(() => {
      const outcome = failed('timeout', `no answer within ${Math.round(timeoutMs / 1000)} s`);
      controller.abort(new RunError('timeout', outcome.ok ? '' : outcome.error));
      resolve(outcome);
    }, timeoutMs);
  });
  const work = Promise.resolve()
    .then(() => runner.run({ ...request, signal: controller.signal }))
    .then(
      (value): AttemptOutcome => {
        const result = parseRunResult(value);
        if (!result) return failed('internal', 'the runner returned a result that is not { imported?, watermark? } (or is too large)');
        return { ok: true, result, durationMs: clock.now() - started };
      },
      (error: unknown): AttemptOutcome => {
        if (error instanceof RunError) return failed(error.errorClass, error.message, error.retryAfterMs);
        const message = error instanceof Error ? error.message : String(error);
        return failed('internal', `the runner failed: ${message}`);
      },
    );
  try {
    return await Promise.race([work, timeout]);
  } finally {
    timers.clearTimeout(timer);
  }
};
