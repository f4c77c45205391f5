import { describe, expect, it } from 'vitest';
import { createDemoRunner } from '../../../src/core/runners/demo-runner.ts';
import type { RunRequest, RunResult } from '../../../src/core/runners/runner.ts';
import { FakeTime } from '../scheduler/fake-time.ts';

const START = Date.parse('2026-11-25T08:00:00.000Z');

const req = (i: number, watermark: unknown = null, signal = new AbortController().signal): RunRequest => ({
  tenant: `tenant-${i % 50}`,
  runId: `run-${i}`,
  scheduledFor: new Date(START + i * 60_000).toISOString(),
  trigger: 'scheduled',
  attempt: 1,
  watermark,
  signal,
});

type Outcome = { ok: true; result: RunResult; ms: number } | { ok: false; errorClass: string; message: string; ms: number };

const outcomes = async (seed: string, n: number): Promise<Outcome[]> => {
  const time = new FakeTime(START);
  const runner = createDemoRunner({ timers: time, seed });
  const out: Outcome[] = [];
  for (let i = 0; i < n; i++) {
    const began = time.now();
    const done = runner.run(req(i)).then(
      (result): Outcome => ({ ok: true, result, ms: time.now() - began }),
      (e: { errorClass: string; message: string }): Outcome => ({ ok: false, errorClass: e.errorClass, message: e.message, ms: time.now() - began }),
    );
    await time.advance(60_000);
    out.push(await done);
  }
  return out;
};

describe('demo runner', () => {
  it('is deterministic for a seed, and another seed tells another story', async () => {
    const a = await outcomes('seed-a', 200);
    expect(await outcomes('seed-a', 200)).toEqual(a);
    expect(await outcomes('seed-b', 200)).not.toEqual(a);
  });

  it('takes a few realistic seconds and now and then fails, with every error class, labelled simulated', async () => {
    const all = await outcomes('command-center-demo', 3000);
    expect(Math.min(...all.map((o) => o.ms))).toBeGreaterThanOrEqual(1500);
    expect(Math.max(...all.map((o) => o.ms))).toBeLessThanOrEqual(9000);
    const failures = all.filter((o): o is Extract<Outcome, { ok: false }> => !o.ok);
    expect(failures.length / all.length).toBeGreaterThan(0.03);
    expect(failures.length / all.length).toBeLessThan(0.1);
    expect(new Set(failures.map((f) => f.errorClass))).toEqual(new Set(['auth', 'rate-limit', 'timeout', 'remote', 'network', 'internal']));
    expect(failures.every((f) => f.message.endsWith('(simulated)'))).toBe(true);
  });

  it('returns an import count and a watermark that carries the running total', async () => {
    const time = new FakeTime(START);
    const runner = createDemoRunner({ timers: time, seed: 'seed-a' });
    const results: RunResult[] = [];
    for (let i = 0; i < 20; i++) {
      // the catch is attached before time moves, so a simulated failure is never unhandled
      const pending = runner.run(req(i, { through: 'earlier', records: 1000 })).catch(() => undefined);
      await time.advance(60_000);
      const result = await pending;
      if (result) {
        expect(result.watermark).toEqual({ through: req(i).scheduledFor, records: 1000 + result.imported! });
        results.push(result);
      }
    }
    // most of 20 runs succeed, and their counts vary
    expect(results.length).toBeGreaterThan(15);
    expect(new Set(results.map((r) => r.imported)).size).toBeGreaterThan(5);
  });

  it('stops when its signal aborts', async () => {
    const time = new FakeTime(START);
    const runner = createDemoRunner({ timers: time });
    const controller = new AbortController();
    const pending = runner.run(req(1, null, controller.signal));
    controller.abort(new Error('timed out'));
    await expect(pending).rejects.toThrow('timed out');
    expect(time.timerCount).toBe(0);
  });
});
