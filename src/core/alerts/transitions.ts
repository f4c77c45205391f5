import { isStale, type Schedule, scheduleStatus } from '../domain/schedule.ts';

// What an operator is alerted about. A tenant may be in several at once (failing and stale).
export type AlertState = 'error' | 'stale' | 'paused';

export interface Transition {
  type: 'tenant.error' | 'tenant.stale' | 'tenant.paused' | 'tenant.recovered';
  tenant: string;
  // the states the tenant is in after the transition; for recovered, the ones it left
  states: AlertState[];
}

// ERROR: the last finished attempt failed. Stale: no successful import within its freshness
// target (a paused schedule is not expected to be fresh). Paused: by the scheduler itself
// (repeated auth failures), not by an operator, who knows already.
export const alertStates = (s: Schedule, nowMs: number): AlertState[] => {
  const out: AlertState[] = [];
  if (scheduleStatus(s) === 'ERROR') out.push('error');
  if (!s.paused && isStale(s, nowMs)) out.push('stale');
  if (s.paused && s.pause.by === 'scheduler') out.push('paused');
  return out;
};

// Remembers each tenant's alert states and tells what changed, once per change: entering a
// state is one transition; leaving the last one is one `tenant.recovered`.
export class TransitionTracker {
  private readonly states = new Map<string, AlertState[]>();

  // The states as they are now, without reporting them (start-up: what is already known).
  baseline(schedules: Iterable<Schedule>, nowMs: number): void {
    for (const s of schedules) this.states.set(s.tenant, alertStates(s, nowMs));
  }

  update(tenant: string, schedule: Schedule | undefined, nowMs: number): Transition[] {
    const before = this.states.get(tenant) ?? [];
    if (!schedule) {
      // deleted: nothing left to alert about, and nothing to recover
      this.states.delete(tenant);
      return [];
    }
    const after = alertStates(schedule, nowMs);
    this.states.set(tenant, after);
    const out: Transition[] = [];
    for (const state of after) if (!before.includes(state)) out.push({ type: `tenant.${state}`, tenant, states: after });
    if (before.length > 0 && after.length === 0) out.push({ type: 'tenant.recovered', tenant, states: before });
    return out;
  }
}
