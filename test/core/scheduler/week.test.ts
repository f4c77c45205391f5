import { Cron } from 'croner';
import { describe, expect, it } from 'vitest';
import type { ScheduleSpec } from '../../../src/core/domain/spec.ts';
import { tenantOffsetMs } from '../../../src/core/domain/timetable.ts';
import type { Runner } from '../../../src/core/runners/runner.ts';
import { harness, scriptedRunner } from './harness.ts';
import { FakeTime } from './fake-time.ts';

const START = Date.parse('2026-11-23T00:00:00.000Z');
const WEEK = 7 * 24 * 3600_000;
const END = START + WEEK;
// runs last up to 2 min and may queue behind the cap; due times this close to the end are
// left out of the count so every counted run has had time to start
const COUNTED_UNTIL = END - 15 * 60_000;
const INTERVALS = [3600, 7200, 10800, 14400, 21600, 28800, 43200, 86400];
const CRONS: ScheduleSpec[] = [
  { cron: '0 */6 * * *', timezone: 'America/Denver' },
  { cron: '15 3 * * *', timezone: 'Europe/Berlin' },
  { cron: '*/30 8-17 * * 1-5', timezone: 'America/New_York' },
];

const specOf = (i: number): ScheduleSpec => (i % 10 === 9 ? CRONS[i % CRONS.length]! : { every: INTERVALS[i % INTERVALS.length]! });

// The due times the issue promises, computed independently of the scheduler.
const expectedDues = (tenant: string, spec: ScheduleSpec): number[] => {
  const out: number[] = [];
  if ('every' in spec) {
    const period = spec.every * 1000;
    for (let d = START - (START % period) + tenantOffsetMs(tenant, spec.every); d <= COUNTED_UNTIL; d += period) if (d > START) out.push(d);
    return out;
  }
  const cron = new Cron(spec.cron, { timezone: spec.timezone, paused: true });
  for (let d = cron.nextRun(new Date(START)); d && d.getTime() <= COUNTED_UNTIL; d = cron.nextRun(d)) out.push(d.getTime());
  return out;
};

describe('a simulated week', () => {
  it('runs 1,000 schedules for a week with exactly the expected runs per tenant', { timeout: 120_000 }, async () => {
    const time = new FakeTime(START);
    // Every 7th tenant's imports take 5 s to 2 min (deterministically), so runs overlap in time
    // and meet the cap; the rest finish at once, which keeps a simulated week to seconds.
    const slow = scriptedRunner(time, (req) => ({ ms: 5000 + ((Date.parse(req.scheduledFor) / 1000) % 115) * 1000 })).runner;
    const runner: Runner = { name: 'demo', run: (req) => (Number(req.tenant.slice(-4)) % 7 === 0 ? slow.run(req) : Promise.resolve({ imported: 1 })) };
    const h = harness({ start: '', time, runner, scheduler: { heartbeatMs: 24 * 3600_000, maxConcurrent: 8 } });
    const tenants = Array.from({ length: 1000 }, (_, i) => ({ tenant: `tenant-${String(i).padStart(4, '0')}`, spec: specOf(i) }));
    for (const { tenant, spec } of tenants) await h.create(tenant, spec);
    await h.scheduler.start();
    await time.advanceTo(END);

    const started = await h.events('run.started');
    const byTenant = new Map<string, number[]>();
    for (const e of started) {
      const due = Date.parse(e.data.scheduledFor);
      if (due > COUNTED_UNTIL) continue;
      const list = byTenant.get(e.tenant) ?? [];
      list.push(due);
      byTenant.set(e.tenant, list);
    }
    let total = 0;
    const wrong: string[] = [];
    for (const { tenant, spec } of tenants) {
      const want = expectedDues(tenant, spec);
      total += want.length;
      const got = byTenant.get(tenant) ?? [];
      if (JSON.stringify(got) !== JSON.stringify(want)) wrong.push(`${tenant}: want ${want.length}, got ${got.length}`);
    }
    expect(wrong).toEqual([]);
    expect(total).toBeGreaterThan(35_000);
    expect(await h.events('run.skipped')).toHaveLength(0);
    expect(await h.events('run.failed')).toHaveLength(0);
    expect(started.every((e) => e.data.trigger === 'scheduled')).toBe(true);
    expect((await h.events('run.succeeded')).length).toBe(started.length - h.scheduler.state().inFlight);
  });
});
