import type { Unsequenced } from '../../src/core/domain/events.ts';
import type { ScheduleSpec } from '../../src/core/domain/spec.ts';
import { nextDue } from '../../src/core/domain/timetable.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { openFileStore } from '../../src/core/store/file-store.ts';

// Three hours of a believable fleet, written into a data directory before the server starts.
// Runs sit on the scheduler's own due times (the domain's nextDue) up to the present, so the
// live scheduler finds nothing to catch up and the story survives the start: one tenant
// failing, one paused, two whose imports stopped (stale), the rest healthy.

type Story = 'healthy' | 'failing' | 'paused' | 'stopped';
const FLEET: [string, ScheduleSpec, Story][] = [
  ['acme-roofing', { every: 180 }, 'healthy'],
  ['bolt-roofing', { every: 180 }, 'healthy'],
  ['cedar-roofing', { every: 300 }, 'healthy'],
  ['delta-exteriors', { every: 180 }, 'healthy'],
  ['eagle-roofing', { every: 300 }, 'healthy'],
  ['fairview-gutters', { every: 600 }, 'healthy'],
  ['granite-roofing', { every: 600 }, 'failing'],
  ['harbor-siding', { every: 300 }, 'healthy'],
  // imported on demand only; nothing for 40 and 50 minutes against a 15-minute target
  ['ironclad-roofing', { cron: '0 0 1 1 *', timezone: 'UTC' }, 'stopped'],
  ['juniper-homes', { every: 300 }, 'paused'],
  ['keystone-roofing', { cron: '0 0 1 1 *', timezone: 'UTC' }, 'stopped'],
  ['lakeside-exteriors', { every: 180 }, 'healthy'],
];

const iso = (ms: number) => new Date(ms).toISOString();

export const seedFleet = async (dataDir: string, nowMs: number): Promise<number> => {
  const events: Unsequenced[] = [];
  let n = 0;
  const add = (ms: number, e: Omit<Unsequenced, 'id' | 'ts' | 'source' | 'actor'> & Partial<Pick<Unsequenced, 'source' | 'actor'>>) =>
    events.push({ source: 'scheduler', actor: 'scheduler', ...e, id: `seed-${++n}`, ts: iso(ms) } as Unsequenced);
  let random = 7;
  const next = () => (random = (random * 48271) % 2147483647) / 2147483647;

  const run = (tenant: string, due: number, trigger: 'scheduled' | 'manual', fail: boolean) => {
    const runId = `run-${tenant}-${due}`;
    const duration = Math.min(1500 + Math.round(next() * 14_000), nowMs - due - 50);
    add(due, { type: 'run.started', tenant, data: { runId, trigger, scheduledFor: iso(due), attempt: 1 } });
    if (fail) {
      const auth = tenant === 'granite-roofing';
      const error = auth ? 'AccuLynx refused the API key (401)' : 'import worker timed out';
      add(due + duration, { type: 'run.failed', tenant, data: { runId, durationMs: duration, error, errorClass: auth ? 'auth' : 'timeout', attempt: 1, willRetry: false } });
    } else {
      add(due + duration, { type: 'run.succeeded', tenant, data: { runId, durationMs: duration, result: { imported: Math.round(next() * 300) } } });
    }
  };

  for (const [i, [tenant, spec, story]] of FLEET.entries()) {
    const created = nowMs - 3 * 3_600_000 + i * 7000;
    const policy = story === 'stopped' ? { freshnessSeconds: 900 } : undefined;
    add(created, { type: 'schedule.created', tenant, source: 'ui', actor: 'operator', data: policy ? { spec, runner: 'demo', policy } : { spec, runner: 'demo' } });
    if (story === 'stopped') {
      const stoppedAt = nowMs - (tenant === 'ironclad-roofing' ? 40 : 50) * 60_000;
      for (let at = created + 600_000; at < stoppedAt; at += 900_000) run(tenant, at, 'manual', false);
      continue;
    }
    const pausedAt = story === 'paused' ? nowMs - 70 * 60_000 : Number.POSITIVE_INFINITY;
    // the last due time must have finished before now, or it would be a run in flight
    for (let due = nextDue(spec, created, tenant, created); due < Math.min(nowMs - 200, pausedAt); due = nextDue(spec, created, tenant, due)) {
      const fail = story === 'failing' ? due > nowMs - 25 * 60_000 : due < nowMs - 20 * 60_000 && next() < 0.04;
      run(tenant, due, 'scheduled', fail);
    }
    if (story === 'paused') add(pausedAt, { type: 'schedule.paused', tenant, source: 'ui', actor: 'operator', data: { reason: 'CRM maintenance window' } });
  }
  events.sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
  const store = await openFileStore({ dataDir, log: silentLogger });
  for (let i = 0; i < events.length; i += 500) await store.journal.append(events.slice(i, i + 500));
  await store.close();
  return events.length;
};
