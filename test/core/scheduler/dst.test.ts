import { describe, expect, it } from 'vitest';
import { harness, scriptedRunner } from './harness.ts';
import { FakeTime } from './fake-time.ts';

// Fires a cron schedule through the scheduler on a fake clock and lists its due times.
const firings = async (cron: string, timezone: string, from: string, to: string) => {
  const time = new FakeTime(from);
  const h = harness({ start: from, time, runner: scriptedRunner(time, () => ({ ms: 1000 })).runner });
  await h.create('dst-co', { cron, timezone });
  await h.scheduler.start();
  await time.advanceTo(to);
  const started = await h.events('run.started');
  expect(started.every((e) => e.ts === e.data.scheduledFor && e.data.trigger === 'scheduled')).toBe(true);
  return started.map((e) => e.data.scheduledFor);
};

const local = (iso: string, zone: string) => new Date(iso).toLocaleString('sv-SE', { timeZone: zone });

describe('cron across daylight-saving changes', () => {
  it('America/Denver, spring forward: 02:30 does not exist on 8 March, so that day runs at 03:00 MDT', async () => {
    const runs = await firings('30 2 * * *', 'America/Denver', '2026-03-07T00:00:00.000Z', '2026-03-10T00:00:00.000Z');
    expect(runs).toEqual(['2026-03-07T09:30:00.000Z', '2026-03-08T09:00:00.000Z', '2026-03-09T08:30:00.000Z']);
    expect(runs.map((r) => local(r, 'America/Denver'))).toEqual(['2026-03-07 02:30:00', '2026-03-08 03:00:00', '2026-03-09 02:30:00']);
  });

  it('America/Denver, fall back: every two hours keeps local even hours, once each, 3 real hours across the change', async () => {
    const runs = await firings('0 */2 * * *', 'America/Denver', '2026-11-01T03:00:00.000Z', '2026-11-01T14:00:00.000Z');
    expect(runs).toEqual([
      '2026-11-01T04:00:00.000Z', // 22:00 MDT
      '2026-11-01T06:00:00.000Z', // 00:00 MDT
      '2026-11-01T09:00:00.000Z', // 02:00 MST
      '2026-11-01T11:00:00.000Z', // 04:00 MST
      '2026-11-01T13:00:00.000Z', // 06:00 MST
    ]);
  });

  it('America/Denver, spring forward: every two hours skips the 02:00 that does not exist', async () => {
    const runs = await firings('0 */2 * * *', 'America/Denver', '2026-03-08T04:00:00.000Z', '2026-03-08T13:00:00.000Z');
    expect(runs.map((r) => local(r, 'America/Denver'))).toEqual(['2026-03-07 22:00:00', '2026-03-08 00:00:00', '2026-03-08 04:00:00', '2026-03-08 06:00:00']);
  });

  it('Europe/Berlin, spring forward: 02:30 does not exist on 29 March, so that day runs at 03:00 CEST', async () => {
    const runs = await firings('30 2 * * *', 'Europe/Berlin', '2026-03-28T00:00:00.000Z', '2026-03-31T00:00:00.000Z');
    expect(runs).toEqual(['2026-03-28T01:30:00.000Z', '2026-03-29T01:00:00.000Z', '2026-03-30T00:30:00.000Z']);
  });

  it('Europe/Berlin, fall back: 02:30 happens twice on 25 October and runs once, at the first', async () => {
    const runs = await firings('30 2 * * *', 'Europe/Berlin', '2026-10-24T00:00:00.000Z', '2026-10-27T00:00:00.000Z');
    expect(runs).toEqual(['2026-10-24T00:30:00.000Z', '2026-10-25T00:30:00.000Z', '2026-10-26T01:30:00.000Z']);
  });

  it('Europe/Berlin, fall back: an hourly cron keeps firing every real hour through the repeated hour', async () => {
    const runs = await firings('0 * * * *', 'Europe/Berlin', '2026-10-24T22:30:00.000Z', '2026-10-25T03:30:00.000Z');
    expect(runs).toEqual([
      '2026-10-24T23:00:00.000Z',
      '2026-10-25T00:00:00.000Z', // 02:00 CEST
      '2026-10-25T01:00:00.000Z', // 02:00 CET
      '2026-10-25T02:00:00.000Z',
      '2026-10-25T03:00:00.000Z',
    ]);
  });
});
