import type { Trigger } from '../domain/events.ts';
import type { Origin } from '../service.ts';
import type { HeapItem } from './heap.ts';

// The scheduler's in-memory view of one tenant: what it waits for and what it runs.
// Everything here can be rebuilt from the projection after a restart.

export type AlarmKind = 'due' | 'resume' | 'wait';

export interface Alarm extends HeapItem {
  at: number;
  kind: AlarmKind;
  slot: Slot;
}

export interface Started {
  promise: Promise<void>;
  resolve(): void;
  reject(error: unknown): void;
}

// A run decided on but not started: waiting for its time (retry, rate limit) or for a slot.
export interface PendingRun extends HeapItem {
  slot: Slot;
  runId: string;
  trigger: Trigger;
  scheduledFor: number;
  attempt: number;
  origin: Origin;
  readyAt: number;
  // the tenant's runs started so far and the last start, as of queueing (for fair ties)
  served: number;
  rank: number;
  // only a manual run has someone waiting to hear that it started
  started?: Started;
  // how often recording its start failed because the journal was unavailable
  startFailures: number;
}

export interface Flight {
  runId: string;
  trigger: Trigger;
  scheduledFor: number;
  attempt: number;
  startedAt: number;
  phase: 'starting' | 'running' | 'recording' | 'done';
  controller: AbortController;
  // set by a shutdown that recorded this run as interrupted; its late result is dropped
  abandoned: boolean;
  // whether run.started was recorded
  start: Promise<boolean>;
  done: Promise<void>;
}

export interface Slot {
  tenant: string;
  // spec and anchor the due alarm was computed for; a change means recompute
  timetable: string;
  // the latest due time accounted for
  cursor: number;
  due?: Alarm;
  resume?: Alarm;
  wait?: Alarm;
  pending?: PendingRun;
  flight?: Flight;
  // rate limit: no run of this tenant starts before this instant
  notBefore: number;
  started: number;
  lastStartedAt: number;
}

export const alarmBefore = (a: Alarm, b: Alarm): boolean => a.at < b.at || (a.at === b.at && a.slot.tenant < b.slot.tenant);

// Oldest first. Each tenant has at most one pending run, so none waits behind more than one run
// of each other tenant. Among runs due at the same instant (common: equal crons), the tenant
// served least so far goes first, then the one that started least recently: a fixed order
// such as by name would let the same tenants lose every contested minute.
export const pendingBefore = (a: PendingRun, b: PendingRun): boolean => {
  if (a.readyAt !== b.readyAt) return a.readyAt < b.readyAt;
  if (a.served !== b.served) return a.served < b.served;
  if (a.rank !== b.rank) return a.rank < b.rank;
  return a.slot.tenant < b.slot.tenant;
};

export const newStarted = (): Started => {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // only a caller that waits for the start sees its failure; nobody else must trip on it
  promise.catch(() => {});
  return { promise, resolve, reject };
};

export const isBusy = (slot: Slot): boolean => slot.pending !== undefined || slot.flight !== undefined;
