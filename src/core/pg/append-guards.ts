import type { EventData, Unsequenced } from '../domain/events.ts';

// Instances decide on their own copy of the projections, which may trail the database by
// a few milliseconds. These say which drafts must not be recorded on a stale decision.

// Unsequenced is Omit<> of a union, which loses the type-to-data link; restore it here.
const runStarted = (d: Unsequenced): EventData<'run.started'> | undefined =>
  d.type === 'run.started' ? (d.data as EventData<'run.started'>) : undefined;

// A settings change or a manual run is decided on the tenant's current schedule: if another
// instance recorded anything for that tenant since, the decision may be wrong (two instances
// creating one tenant, pausing a schedule that was just deleted, two "run now" at once).
export const needsFreshTenant = (d: Unsequenced): boolean => d.type.startsWith('schedule.') || runStarted(d)?.trigger === 'manual';

// A due time of a tenant starts once per attempt, whoever the leader thought it was.
// Mirrors the unique index events_run_once, which stays as the last guard.
export interface RunKey {
  tenant: string;
  scheduledFor: string;
  attempt: number;
}

export const runKeyOf = (d: Unsequenced): RunKey | undefined => {
  const data = runStarted(d);
  return data && data.trigger !== 'manual' ? { tenant: d.tenant, scheduledFor: data.scheduledFor, attempt: data.attempt } : undefined;
};

export const runKeyText = (k: RunKey): string => `${k.tenant}\u0000${k.scheduledFor}\u0000${k.attempt}`;
