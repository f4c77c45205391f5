import type { ErrorClass, Policy } from './events.ts';
import type { Schedule } from './schedule.ts';

// Retry, timeout and auto-pause rules. Instants are epoch milliseconds.

export const DEFAULT_TIMEOUT_SECONDS = 300;
export const DEFAULT_MAX_ATTEMPTS = 3;
export const DEFAULT_AUTH_FAILURES_BEFORE_PAUSE = 3;
export const RETRY_BASE_MS = 30_000;
export const RETRY_MAX_MS = 30 * 60_000;

export const timeoutMs = (policy: Policy): number => (policy.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS) * 1000;

export const maxAttempts = (policy: Policy): number => policy.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;

// 30 s, 60 s, 120 s … after attempts 1, 2, 3 …, capped at 30 min.
export const backoffMs = (attempt: number): number => Math.min(RETRY_BASE_MS * 2 ** (attempt - 1), RETRY_MAX_MS);

// Refused credentials do not get better by asking again at once: the next scheduled run tries,
// and enough of them in a row pause the schedule (see authPauseReason).
export const isRetryable = (errorClass: ErrorClass): boolean => errorClass !== 'auth';

export interface FailedAttempt {
  attempt: number;
  errorClass: ErrorClass;
  failedAt: number;
  // from the remote's Retry-After, for rate-limit
  retryAfterMs?: number;
  // the schedule's next due time (Infinity when paused or gone)
  nextDueAt: number;
}

// The instant of the next attempt, or undefined for none. A retry that would land at or after
// the next due time is dropped: the scheduled run comes as soon and does the same work.
export const retryAt = (f: FailedAttempt, policy: Policy): number | undefined => {
  if (!isRetryable(f.errorClass) || f.attempt >= maxAttempts(policy)) return undefined;
  const wait = Math.max(backoffMs(f.attempt), f.errorClass === 'rate-limit' ? (f.retryAfterMs ?? 0) : 0);
  const at = f.failedAt + wait;
  return at < f.nextDueAt ? at : undefined;
};

// After N consecutive auth failures the schedule pauses itself instead of hammering the CRM.
export const authPauseReason = (s: Schedule, threshold = DEFAULT_AUTH_FAILURES_BEFORE_PAUSE): string | undefined => {
  if (s.paused || s.consecutiveAuthFailures < threshold) return undefined;
  const detail = s.lastRun?.errorClass === 'auth' && s.lastRun.error ? `: ${s.lastRun.error}` : '';
  return `credentials refused ${s.consecutiveAuthFailures} times in a row${detail}`;
};
