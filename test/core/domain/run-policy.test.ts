import { describe, expect, it } from 'vitest';
import type { ErrorClass } from '../../../src/core/domain/events.ts';
import { authPauseReason, backoffMs, retryAt, timeoutMs } from '../../../src/core/domain/run-policy.ts';
import { ev, fold, history } from './given.ts';

const T0 = Date.parse('2026-11-25T08:00:00.000Z');
const failure = (errorClass: ErrorClass, attempt: number, extra = {}) => ({ attempt, errorClass, failedAt: T0, nextDueAt: T0 + 3600_000, ...extra });

describe('retry policy', () => {
  it('backs off 30 s, 60 s, 120 s … capped at 30 minutes', () => {
    expect([1, 2, 3, 4, 7, 20].map(backoffMs)).toEqual([30_000, 60_000, 120_000, 240_000, 1_800_000, 1_800_000]);
  });

  it('retries every class but auth, up to maxAttempts (default 3)', () => {
    for (const c of ['rate-limit', 'timeout', 'remote', 'network', 'internal'] as const) expect(retryAt(failure(c, 1), {})).toBe(T0 + 30_000);
    expect(retryAt(failure('auth', 1), {})).toBeUndefined();
    expect(retryAt(failure('remote', 2), {})).toBe(T0 + 60_000);
    expect(retryAt(failure('remote', 3), {})).toBeUndefined();
    expect(retryAt(failure('remote', 3), { maxAttempts: 5 })).toBe(T0 + 120_000);
  });

  it('waits for Retry-After when it is longer than the backoff, for rate-limit only', () => {
    expect(retryAt(failure('rate-limit', 1, { retryAfterMs: 300_000 }), {})).toBe(T0 + 300_000);
    expect(retryAt(failure('rate-limit', 1, { retryAfterMs: 5_000 }), {})).toBe(T0 + 30_000);
    expect(retryAt(failure('remote', 1, { retryAfterMs: 300_000 }), {})).toBe(T0 + 30_000);
  });

  it('drops a retry that would land at or after the next due time', () => {
    expect(retryAt(failure('remote', 1, { nextDueAt: T0 + 30_000 }), {})).toBeUndefined();
    expect(retryAt(failure('remote', 1, { nextDueAt: T0 + 30_001 }), {})).toBe(T0 + 30_000);
  });

  it('times a run out after 5 minutes unless the policy says otherwise', () => {
    expect(timeoutMs({})).toBe(300_000);
    expect(timeoutMs({ timeoutSeconds: 20 })).toBe(20_000);
  });
});

describe('auth auto-pause', () => {
  const authFailed = (runId: string) => ({ ...ev.failed('acme', runId, false), data: { ...ev.failed('acme', runId, false).data, errorClass: 'auth', error: 'key refused' } }) as never;
  const after = (...drafts: Parameters<typeof history>) => fold(history(...drafts)).schedules.acme!;

  it('pauses after 3 consecutive auth failures, naming the error', () => {
    const s = after(ev.created('acme'), ev.started('acme', 'r1'), authFailed('r1'), ev.started('acme', 'r2'), authFailed('r2'));
    expect(authPauseReason(s)).toBeUndefined();
    const third = after(ev.created('acme'), ev.started('acme', 'r1'), authFailed('r1'), ev.started('acme', 'r2'), authFailed('r2'), ev.started('acme', 'r3'), authFailed('r3'));
    expect(authPauseReason(third)).toBe('credentials refused 3 times in a row: key refused');
    expect(authPauseReason(third, 4)).toBeUndefined();
  });

  it('does not count across another kind of result, nor pause a paused schedule', () => {
    const broken = after(ev.created('acme'), ev.started('acme', 'r1'), authFailed('r1'), ev.started('acme', 'r2'), ev.failed('acme', 'r2'), ev.started('acme', 'r3'), authFailed('r3'), ev.started('acme', 'r4'), authFailed('r4'));
    expect(broken.consecutiveAuthFailures).toBe(2);
    expect(authPauseReason(broken)).toBeUndefined();
    const paused = after(ev.created('acme'), ev.started('acme', 'r1'), authFailed('r1'), ev.started('acme', 'r2'), authFailed('r2'), ev.started('acme', 'r3'), authFailed('r3'), ev.paused('acme'));
    expect(authPauseReason(paused)).toBeUndefined();
  });
});
