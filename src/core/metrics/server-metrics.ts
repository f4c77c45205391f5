import type { Clock } from '../clock.ts';
import { isStale, scheduleStatus } from '../domain/schedule.ts';
import { alertStates } from '../alerts/transitions.ts';
import type { SchedulerState } from '../scheduler/scheduler.ts';
import type { Subscription } from '../journal/journal.ts';
import type { StorageUsage } from '../store/disk-usage.ts';
import type { Store } from '../store/store.ts';
import { type Histogram, MetricsRegistry } from './registry.ts';

export interface ServerMetrics {
  registry: MetricsRegistry;
  // the CommandService reports each append here (seconds from decide to durable)
  appendLatency: Histogram;
  // measures what gauges cannot read synchronously (disk usage); awaited before a scrape
  refresh(): Promise<void>;
  close(): void;
}

const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

// What an operator graphs: the journal's pace, run outcomes, and the state of the fleet.
// Counters follow the journal (every writer, one listener); gauges are read at scrape time.
export const createServerMetrics = (options: { store: Store; clock: Clock; sseClients?: () => number }): ServerMetrics => {
  const { store, clock } = options;
  const registry = new MetricsRegistry();
  const appended = registry.counter('cc_events_appended_total', 'Events appended to the journal since start, by type.');
  const runs = registry.counter('cc_runs_finished_total', 'Runs finished since start, by outcome and error class.');
  const appendLatency = registry.histogram('cc_append_latency_seconds', 'Time from a command to its events being durable.', LATENCY_BUCKETS);
  registry.gauge('cc_journal_last_seq', 'The seq of the last event in the journal.', () => store.journal.lastSeq);
  registry.gauge('cc_sse_clients', 'Connected event-stream clients.', () => options.sseClients?.() ?? 0);
  registry.gauge('cc_schedules', 'Schedules by status.', () => {
    const counts = { OK: 0, PAUSED: 0, ERROR: 0 };
    for (const s of store.projector.schedules.values()) counts[scheduleStatus(s)] += 1;
    return Object.entries(counts).map(([status, n]) => [{ status }, n]);
  });
  registry.gauge('cc_stale_tenants', 'Tenants whose data is older than their freshness target.', () => {
    const now = clock.now();
    let n = 0;
    for (const s of store.projector.schedules.values()) if (isStale(s, now)) n += 1;
    return n;
  });
  registry.gauge('cc_runs_in_flight', 'Runs started and not yet finished.', () => {
    let n = 0;
    for (const s of store.projector.schedules.values()) if (s.running) n += 1;
    return n;
  });

  // Per tenant, only while it is in a state worth an alert, so an Alertmanager rule fires per
  // tenant and resolves when the series goes away: the same transitions the alert webhook sends.
  registry.gauge('cc_tenant_alert_state', 'Tenants in ERROR, stale, or paused by the scheduler (1 while so).', () => {
    const now = clock.now();
    const out: Array<[Record<string, string>, number]> = [];
    for (const s of store.projector.schedules.values()) {
      for (const state of alertStates(s, now)) out.push([{ tenant: s.tenant, state: state === 'paused' ? 'paused_by_scheduler' : state }, 1]);
    }
    return out;
  });

  let usage: StorageUsage | undefined;
  const refresh = async () => {
    usage = (await store.usage?.()) ?? usage;
  };
  if (store.usage) {
    registry.gauge('cc_journal_bytes', 'Bytes of the raw journal segments (data/journal).', () => usage?.journalBytes ?? 0);
    registry.gauge('cc_archive_bytes', 'Bytes of the compressed archived segments (data/archive).', () => usage?.archiveBytes ?? 0);
    registry.gauge('cc_checkpoint_bytes', 'Bytes of the projection checkpoints (data/checkpoints).', () => usage?.checkpointBytes ?? 0);
    registry.gauge('cc_disk_free_bytes', 'Free bytes on the data directory\'s filesystem.', () => usage?.freeBytes ?? 0);
    registry.gauge('cc_disk_low', '1 while free disk is below CC_MIN_FREE_MB (health is degraded).', () => (usage?.low ? 1 : 0));
  }

  const subscription: Subscription = store.journal.subscribe(store.journal.lastSeq, (events) => {
    for (const e of events) {
      appended.inc({ type: e.type });
      if (e.type === 'run.succeeded') runs.inc({ outcome: 'succeeded', error_class: '' });
      else if (e.type === 'run.failed') runs.inc({ outcome: 'failed', error_class: e.data.errorClass });
      else if (e.type === 'run.skipped') runs.inc({ outcome: 'skipped', error_class: '' }, e.data.count);
    }
  });

  return { registry, appendLatency, refresh, close: () => subscription.close() };
};

// The scheduler's own view: how late it is firing, and its queue. Registered once the
// scheduler exists (it is created after the metrics).
export const observeScheduler = (registry: MetricsRegistry, state: () => SchedulerState): void => {
  registry.gauge('cc_scheduler_lag_seconds', 'How late the scheduler fired its latest due run (0 when on time).', () => state().lagMs / 1000);
  registry.gauge('cc_scheduler_runs_in_flight', 'Runs the scheduler has going now.', () => state().inFlight);
  registry.gauge('cc_scheduler_runs_queued', 'Due runs waiting for a free slot (the global cap).', () => state().queued);
  registry.gauge('cc_scheduler_running', '1 while this instance fires runs (on PostgreSQL: holds the lease).', () => (state().state === 'running' ? 1 : 0));
};
