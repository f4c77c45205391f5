import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../tmp.ts';
import { replayCommand } from '../../src/commands/replay-command.ts';
import { ManualClock } from '../../src/core/clock.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { CommandService } from '../../src/core/service.ts';
import { openFileStore } from '../../src/core/store/file-store.ts';

const T0 = Date.parse('2026-11-25T08:00:00.000Z');

const journalWithThreeEvents = async () => {
  const dataDir = tempDir('replay');
  const store = await openFileStore({ dataDir, log: silentLogger });
  const clock = new ManualClock(T0);
  const service = new CommandService({ store, clock });
  const origin = { source: 'cli' as const, actor: 'test' };
  await service.execute({ type: 'CreateSchedule', tenant: 'acme', spec: { every: 60 }, runner: 'demo' }, origin);
  clock.advance(60_000);
  await service.execute({ type: 'CreateSchedule', tenant: 'beta', spec: { every: 60 }, runner: 'demo' }, origin);
  clock.advance(60_000);
  await service.execute({ type: 'PauseSchedule', tenant: 'acme', reason: 'maintenance' }, origin);
  await store.close();
  return path.join(dataDir, 'journal');
};

const run = async (dir: string, point: { seq?: string; at?: string }) => {
  let out = '';
  let err = '';
  const code = await replayCommand(dir, point, (t) => (out += t), (t) => (err += t));
  return { code, json: out ? JSON.parse(out) : undefined, err };
};

describe('command-center replay', () => {
  it('prints the state as of a seq', async () => {
    const dir = await journalWithThreeEvents();
    const { code, json } = await run(dir, { seq: '2' });
    expect(code).toBe(0);
    expect(json.asOf).toEqual({ seq: 2, ts: '2026-11-25T08:01:00.000Z' });
    expect(json.schedules.map((s: { tenant: string; status: string }) => `${s.tenant}:${s.status}`)).toEqual(['acme:OK', 'beta:OK']);
    expect(json.summary).toMatchObject({ tenants: 2, paused: 0 });
  });

  it('prints the state as of an instant', async () => {
    const dir = await journalWithThreeEvents();
    const { json } = await run(dir, { at: '2026-11-25T08:02:00Z' });
    expect(json.asOf.seq).toBe(3);
    expect(json.schedules[0]).toMatchObject({ tenant: 'acme', status: 'PAUSED' });
  });

  it('refuses both or neither point, and a seq past the journal', async () => {
    const dir = await journalWithThreeEvents();
    expect((await run(dir, {})).code).toBe(2);
    expect((await run(dir, { seq: '1', at: '2026-11-25T08:00:00Z' })).code).toBe(2);
    const past = await run(dir, { seq: '9' });
    expect(past.code).toBe(2);
    expect(past.err).toMatch(/past the journal's last seq \(3\)/);
  });
});
