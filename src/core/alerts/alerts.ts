import type { Clock } from '../clock.ts';
import type { MetricsRegistry } from '../metrics/registry.ts';
import { scheduleView } from '../domain/projection.ts';
import type { Subscription } from '../journal/journal.ts';
import type { Store } from '../store/store.ts';
import type { TimerHandle, Timers } from '../timers.ts';
import type { AlertWebhook } from './alert-webhook.ts';
import { TransitionTracker } from './transitions.ts';

export interface AlertsOptions {
  store: Store;
  clock: Clock;
  timers: Timers;
  webhook: Pick<AlertWebhook, 'send'>;
  newId: () => string;
  // staleness comes with time, not with events: how often to look
  sweepMs?: number;
}

// Watches the projections for alert transitions — a tenant enters ERROR, becomes stale, is
// paused by the scheduler, recovers — and hands each to the webhook once. What is already
// true at start-up is the baseline, not news.
export const watchAlerts = (options: AlertsOptions): { stop(): void } => {
  const { store, clock, timers, webhook } = options;
  const tracker = new TransitionTracker();
  tracker.baseline(store.projector.schedules.values(), clock.now());
  const check = (tenant: string) => {
    const schedule = store.projector.schedules.get(tenant);
    const now = clock.now();
    for (const t of tracker.update(tenant, schedule, now)) {
      const view = schedule ? scheduleView(schedule, now) : undefined;
      webhook.send({
        id: options.newId(),
        type: t.type,
        tenant: t.tenant,
        at: new Date(now).toISOString(),
        states: t.states,
        seq: store.projector.seq,
        ...(view ? { status: view.status, stale: view.stale, lastRun: view.lastRun ?? null, lastSuccessAt: view.lastSuccessAt ?? null, pause: view.paused ? view.pause : null } : {}),
      });
    }
  };
  // The store's own listener applies each event to the projections before this one runs
  // (listeners are called in the order they subscribed).
  const subscription: Subscription = store.journal.subscribe(store.journal.lastSeq, (events) => {
    const tenants = new Set<string>();
    for (const e of events) tenants.add(e.tenant);
    for (const tenant of tenants) check(tenant);
  });
  let timer: TimerHandle | undefined;
  let stopped = false;
  const sweep = () => {
    if (stopped) return;
    for (const tenant of store.projector.schedules.keys()) check(tenant);
    timer = timers.setTimeout(sweep, options.sweepMs ?? 30_000);
  };
  timer = timers.setTimeout(sweep, options.sweepMs ?? 30_000);
  return {
    stop: () => {
      stopped = true;
      subscription.close();
      if (timer !== undefined) timers.clearTimeout(timer);
    },
  };
};

// The webhook's tallies on /metrics, so a receiver that stopped answering is itself alertable.
export const observeAlerts = (registry: MetricsRegistry, webhook: Pick<AlertWebhook, 'counts'>): void => {
  registry.counterView('cc_alerts_sent_total', 'Alerts the webhook receiver accepted.', () => webhook.counts.sent);
  registry.counterView('cc_alerts_failed_total', 'Alerts given up on after their tries.', () => webhook.counts.failed);
  registry.counterView('cc_alerts_dropped_total', 'Alerts dropped unsent because the queue was full.', () => webhook.counts.dropped);
  registry.gauge('cc_alerts_queued', 'Alerts waiting to be sent.', () => webhook.counts.queued);
};
