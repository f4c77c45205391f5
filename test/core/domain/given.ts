import { expect } from 'vitest';
import type { Command } from '../../../src/core/domain/commands.ts';
import { decide } from '../../../src/core/domain/decide.ts';
import { DomainError, type DomainErrorCode } from '../../../src/core/domain/errors.ts';
import type { Draft, Envelope } from '../../../src/core/domain/events.ts';
import { evolve, initialState, type State } from '../../../src/core/domain/projection.ts';

export const T0 = Date.parse('2026-11-25T08:00:00.000Z');
export const MINUTE = 60_000;
export const iso = (ms: number) => new Date(ms).toISOString();

// Recorded history for a spec: event i (0-based) is seq i+1, one minute after the one before.
export const history = (...drafts: Draft[]): Envelope[] =>
  drafts.map((d, i) => ({ seq: i + 1, id: `e${i + 1}`, ts: iso(T0 + i * MINUTE), source: 'api', actor: 'operator', ...d }) as Envelope);

export const fold = (events: readonly Envelope[], from: State = initialState()): State => events.reduce(evolve, from);

// given(past events).when(command).then(new events) — the decider read as a specification.
export const given = (...past: Draft[]) => {
  const state = fold(history(...past));
  return {
    state,
    when: (command: Command) => {
      const run = () => decide(command, state.schedules[command.tenant]);
      return {
        then: (expected: Draft[]) => expect(run()).toEqual(expected),
        thenFails: (code: DomainErrorCode, message?: RegExp) => {
          let error: unknown;
          try {
            run();
          } catch (e) {
            error = e;
          }
          expect(error).toBeInstanceOf(DomainError);
          expect((error as DomainError).code).toBe(code);
          if (message) expect((error as DomainError).message).toMatch(message);
        },
      };
    },
  };
};

// Event drafts, as decide() produces them.
export const ev = {
  created: (tenant: string, every = 60, extra: Record<string, unknown> = {}): Draft => ({
    type: 'schedule.created',
    tenant,
    data: { spec: { every }, runner: 'demo', ...extra },
  }) as Draft,
  updated: (tenant: string, data: Record<string, unknown>): Draft => ({ type: 'schedule.updated', tenant, data }) as Draft,
  paused: (tenant: string, reason?: string): Draft => ({ type: 'schedule.paused', tenant, data: reason === undefined ? {} : { reason } }),
  resumed: (tenant: string): Draft => ({ type: 'schedule.resumed', tenant, data: {} }),
  deleted: (tenant: string): Draft => ({ type: 'schedule.deleted', tenant, data: {} }),
  started: (tenant: string, runId: string, trigger: 'scheduled' | 'manual' = 'scheduled'): Draft => ({
    type: 'run.started',
    tenant,
    data: { runId, trigger, scheduledFor: iso(T0), attempt: 1 },
  }),
  succeeded: (tenant: string, runId: string, durationMs = 1200): Draft => ({
    type: 'run.succeeded',
    tenant,
    data: { runId, durationMs, result: { imported: 42 } },
  }),
  failed: (tenant: string, runId: string, willRetry = true): Draft => ({
    type: 'run.failed',
    tenant,
    data: { runId, durationMs: 900, error: 'CRM said 502', errorClass: 'remote', attempt: 1, willRetry },
  }),
  skipped: (tenant: string): Draft => ({ type: 'run.skipped', tenant, data: { scheduledFor: iso(T0), reason: 'overlap', count: 1 } }),
};
