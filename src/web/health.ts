import { signal } from '@preact/signals';
import type { Api } from './api.ts';
import { span } from './format.ts';
import { realTimers, type Timers } from './store.ts';

// What GET /api/health says (DESIGN §7): status and seq, and — once the scheduler reports
// it — the scheduler's own state. Read loosely: fields appear as the server grows.
export interface Health {
  status: string;
  seq: number;
  scheduler?: Record<string, unknown>;
}

export interface HealthOptions {
  api: Api;
  everyMs: number;
  timers?: Timers;
  onSeq?: (seq: number) => void;
}

export const createHealth = ({ api, everyMs, timers = realTimers, onSeq }: HealthOptions) => {
  const health = signal<Health | null>(null);
  const reachable = signal(true);
  let timer: unknown = null;

  const check = async () => {
    try {
      const h = await api.get<Health>('/api/health');
      health.value = h;
      reachable.value = true;
      if (typeof h.seq === 'number') onSeq?.(h.seq);
    } catch {
      reachable.value = false;
    }
  };

  const loop = () => {
    timer = timers.setTimeout(() => {
      void check().finally(loop);
    }, everyMs);
  };

  return {
    health,
    reachable,
    start() {
      void check();
      loop();
    },
    stop() {
      if (timer !== null) timers.clearTimeout(timer);
      timer = null;
    },
  };
};

export type HealthModel = ReturnType<typeof createHealth>;

export interface SchedulerLine {
  ok: boolean;
  text: string;
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

// The scheduler's proof of life in one line, or nothing when the server does not report it.
export const schedulerLine = (scheduler: Record<string, unknown> | undefined, nowMs?: number): SchedulerLine | null => {
  if (!scheduler) return null;
  const state = scheduler.state ?? scheduler.status;
  const running = scheduler.running === true || state === 'running' || state === 'ok';
  const parts = [running ? 'Scheduler running' : `Scheduler ${typeof state === 'string' ? state : 'stopped'}`];
  const lag = num(scheduler.lagMs) ?? num(scheduler.lag);
  if (lag !== undefined) parts.push(`lag ${lag < 1000 ? `${Math.round(lag)} ms` : span(lag)}`);
  const inFlight = num(scheduler.inFlight) ?? num(scheduler.active);
  if (inFlight !== undefined) parts.push(`${inFlight} in flight`);
  const nextDue = typeof scheduler.nextDueAt === 'string' ? Date.parse(scheduler.nextDueAt) : Number.NaN;
  if (running && Number.isFinite(nextDue) && nowMs !== undefined) parts.push(`next ${nextDue - nowMs < 1000 ? 'now' : `in ${span(nextDue - nowMs)}`}`);
  return { ok: running, text: parts.join(' · ') };
};
