import type { Envelope, Unsequenced } from '../../../src/core/domain/events.ts';

export const T0 = Date.parse('2026-11-25T08:00:00.000Z');
export const iso = (ms: number) => new Date(ms).toISOString();

let counter = 0;
const nextId = () => `evt-${++counter}-${process.pid}`;

// A plausible event that needs no schedule to exist: the journal does not care.
export const draft = (tenant = 'acme-roofing', over: Partial<Unsequenced> = {}): Unsequenced =>
  ({
    id: nextId(),
    ts: iso(T0),
    type: 'schedule.paused',
    tenant,
    source: 'api',
    actor: 'operator',
    data: { reason: 'CRM maintenance' },
    ...over,
  }) as Unsequenced;

export const created = (tenant: string, over: Partial<Unsequenced> = {}): Unsequenced =>
  draft(tenant, { type: 'schedule.created', data: { spec: { every: 60 }, runner: 'demo' }, ...over } as Partial<Unsequenced>);

export const seqs = (events: readonly Envelope[]) => events.map((e) => e.seq);
export const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

// Collects what a subscription delivers and lets a test await a seq instead of sleeping.
export const collector = () => {
  const seen: Envelope[] = [];
  const waiters: { seq: number; resolve: () => void }[] = [];
  const listener = (events: readonly Envelope[]) => {
    seen.push(...events);
    const last = seen[seen.length - 1]?.seq ?? 0;
    for (const w of waiters.splice(0)) {
      if (last >= w.seq) w.resolve();
      else waiters.push(w);
    }
  };
  const until = (seq: number) =>
    new Promise<void>((resolve) => {
      if ((seen[seen.length - 1]?.seq ?? 0) >= seq) resolve();
      else waiters.push({ seq, resolve });
    });
  return { seen, listener, until };
};
