import { describe, expect, it } from 'vitest';
import { harness, scriptedRunner } from './harness.ts';
import { FakeTime } from './fake-time.ts';

const START = '2026-11-25T08:00:30.000Z';
const MINUTE = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();
const T0 = Date.parse('2026-11-25T08:01:00.000Z');

const crowd = async (cap: number, runMs: number, tenants: string[]) => {
  const time = new FakeTime(START);
  let running = 0;
  let peak = 0;
  const { runner } = scriptedRunner(time, () => {
    running += 1;
    peak = Math.max(peak, running);
    return { ms: runMs };
  });
  const counted = { ...runner, run: async (req: Parameters<typeof runner.run>[0]) => {
    try {
      return await runner.run(req);
    } finally {
      running -= 1;
    }
  } };
  const h = harness({ start: START, time, runner: counted, scheduler: { maxConcurrent: cap } });
  for (const tenant of tenants) await h.create(tenant, { cron: '* * * * *', timezone: 'UTC' });
  await h.scheduler.start();
  return { ...h, peak: () => peak };
};

describe('global cap and fair order', () => {
  it('never runs more than the cap at once, and serves the tenant that waited longest first', async () => {
    const h = await crowd(2, 25_000, ['a-co', 'b-co', 'c-co', 'd-co', 'e-co', 'f-co']);
    await h.time.advanceTo(T0 + 5 * MINUTE - 1);
    const at = (minute: number, second: number) => iso(T0 + minute * MINUTE + second * 1000);
    const log = (await h.events()).filter((e) => e.type === 'run.started' || e.type === 'run.skipped');
    expect(log.map((e) => [e.ts, e.type === 'run.started' ? 'run' : 'skip', e.tenant])).toEqual([
      // minute 0: all six due at once; two slots, 25 s runs
      [at(0, 0), 'run', 'a-co'], [at(0, 0), 'run', 'b-co'], [at(0, 25), 'run', 'c-co'], [at(0, 25), 'run', 'd-co'],
      [at(0, 50), 'run', 'e-co'], [at(0, 50), 'run', 'f-co'],
      // minute 1: e and f are still running, so their due time is an overlap
      [at(1, 0), 'skip', 'e-co'], [at(1, 0), 'skip', 'f-co'],
      [at(1, 15), 'run', 'a-co'], [at(1, 15), 'run', 'b-co'], [at(1, 40), 'run', 'c-co'], [at(1, 40), 'run', 'd-co'],
      // minute 2: c and d overlap; e and f, served least, go before a and b
      [at(2, 0), 'skip', 'c-co'], [at(2, 0), 'skip', 'd-co'],
      [at(2, 5), 'run', 'e-co'], [at(2, 5), 'run', 'f-co'], [at(2, 30), 'run', 'a-co'], [at(2, 30), 'run', 'b-co'],
      // minute 3: c and d, served least, first; then whoever started least recently
      [at(3, 0), 'run', 'c-co'], [at(3, 0), 'run', 'd-co'], [at(3, 25), 'run', 'e-co'], [at(3, 25), 'run', 'f-co'],
      [at(3, 50), 'run', 'a-co'], [at(3, 50), 'run', 'b-co'],
      [at(4, 0), 'skip', 'a-co'], [at(4, 0), 'skip', 'b-co'],
      [at(4, 15), 'run', 'c-co'], [at(4, 15), 'run', 'd-co'], [at(4, 40), 'run', 'e-co'], [at(4, 40), 'run', 'f-co'],
    ]);
    expect(h.peak()).toBe(2);
  });

  it('shares a saturated cap evenly over an hour', async () => {
    const tenants = Array.from({ length: 7 }, (_, i) => `tenant-${i}`);
    const h = await crowd(3, 40_000, tenants);
    await h.time.advanceTo(T0 + 60 * MINUTE - 1);
    const started = await h.events('run.started');
    const counts = tenants.map((t) => started.filter((e) => e.tenant === t).length);
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
    // 3 slots × 60 min / 40 s, give or take the slots idle at the edges
    expect(started.length).toBeGreaterThanOrEqual(265);
    expect(h.peak()).toBe(3);
  });

  it('does not let a tenant that is always due crowd out one that is due rarely', async () => {
    const time = new FakeTime(START);
    const { runner } = scriptedRunner(time, (req) => ({ ms: req.tenant === 'hog' ? 9_000 : 1_000 }));
    const h = harness({ start: START, time, runner, scheduler: { maxConcurrent: 1 } });
    await h.create('hog', { every: 10 });
    await h.create('quiet', { every: 60 });
    await h.scheduler.start();
    await h.time.advance(30 * MINUTE);
    const quiet = await h.events('run.started', 'quiet');
    expect(quiet.length).toBe(30);
    expect(await h.events('run.skipped', 'quiet')).toHaveLength(0);
    // it waits at most for the hog's run in progress
    expect(Math.max(...quiet.map((e) => Date.parse(e.ts) - Date.parse(e.data.scheduledFor)))).toBeLessThanOrEqual(9_000);
  });
});
