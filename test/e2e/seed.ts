import type { Unsequenced } from '../../src/core/domain/events.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { openFileStore } from '../../src/core/store/file-store.ts';

// Three hours of a believable fleet, written into a data directory before the server starts:
// mostly healthy tenants, one failing, one paused, two whose imports stopped (stale), one running.
const TENANTS: [string, number][] = [
  ['acme-roofing', 180],
  ['bolt-roofing', 180],
  ['cedar-roofing', 300],
  ['delta-exteriors', 180],
  ['eagle-roofing', 300],
  ['fairview-gutters', 600],
  ['granite-roofing', 180],
  ['harbor-siding', 300],
  ['ironclad-roofing', 180],
  ['juniper-homes', 300],
  ['keystone-roofing', 600],
  ['lakeside-exteriors', 180],
];

const iso = (ms: number) => new Date(ms).toISOString();

export const seedFleet = async (dataDir: string, nowMs: number, options: { tenants?: number } = {}): Promise<number> => {
  const events: Unsequenced[] = [];
  let n = 0;
  const add = (ms: number, e: Omit<Unsequenced, 'id' | 'ts' | 'source' | 'actor'> & Partial<Pick<Unsequenced, 'source' | 'actor'>>) =>
    events.push({ source: 'scheduler', actor: 'scheduler', ...e, id: `seed-${++n}`, ts: iso(ms) } as Unsequenced);
  const start = nowMs - 3 * 3_600_000;
  let random = 7;
  const next = () => (random = (random * 48271) % 2147483647) / 2147483647;

  for (const [i, [tenant, every]] of TENANTS.slice(0, options.tenants ?? TENANTS.length).entries()) {
    const created = start + i * 7000;
    add(created, { type: 'schedule.created', tenant, source: 'ui', actor: 'operator', data: { spec: { every }, runner: 'demo' } });
    // where each tenant's story departs from "runs fine"
    const stopsAt = tenant === 'ironclad-roofing' ? nowMs - 40 * 60_000 : tenant === 'keystone-roofing' ? nowMs - 50 * 60_000 : nowMs - 20_000;
    const pausedAt = tenant === 'juniper-homes' ? nowMs - 70 * 60_000 : Number.POSITIVE_INFINITY;
    for (let due = created + every * 1000; due < Math.min(stopsAt, pausedAt); due += every * 1000) {
      const runId = `run-${tenant}-${due}`;
      const duration = 1500 + Math.round(next() * 14_000);
      const failing = (tenant === 'granite-roofing' && due > nowMs - 12 * 60_000) || next() < 0.04;
      add(due, { type: 'run.started', tenant, data: { runId, trigger: 'scheduled', scheduledFor: iso(due), attempt: 1 } });
      if (tenant === 'eagle-roofing' && due + every * 1000 >= stopsAt) break; // still running
      if (failing) {
        const auth = tenant === 'granite-roofing';
        add(due + duration, {
          type: 'run.failed',
          tenant,
          data: {
            runId,
            durationMs: duration,
            error: auth ? 'AccuLynx refused the API key (401)' : 'import worker timed out',
            errorClass: auth ? 'auth' : 'timeout',
            attempt: 1,
            willRetry: false,
          },
        });
      } else {
        add(due + duration, { type: 'run.succeeded', tenant, data: { runId, durationMs: duration, result: { imported: Math.round(next() * 300) } } });
      }
    }
    if (pausedAt < nowMs) add(pausedAt, { type: 'schedule.paused', tenant, source: 'ui', actor: 'operator', data: { reason: 'CRM maintenance window' } });
  }
  events.sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
  const store = await openFileStore({ dataDir, log: silentLogger });
  for (let i = 0; i < events.length; i += 500) await store.journal.append(events.slice(i, i + 500));
  await store.close();
  return events.length;
};
