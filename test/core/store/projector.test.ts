import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/core/clock.ts';
import type { Command } from '../../../src/core/domain/commands.ts';
import type { Envelope, Unsequenced } from '../../../src/core/domain/events.ts';
import { evolve, initialState, type State } from '../../../src/core/domain/projection.ts';
import type { Journal } from '../../../src/core/journal/journal.ts';
import type { Logger } from '../../../src/core/logger.ts';
import { Projector } from '../../../src/core/projections/projector.ts';
import { CommandService } from '../../../src/core/service.ts';
import { openFileStore } from '../../../src/core/store/file-store.ts';
import { openMemoryStore } from '../../../src/core/store/memory-store.ts';
import type { Store } from '../../../src/core/store/store.ts';

const T0 = Date.parse('2026-11-25T08:00:00.000Z');
const TENANTS = ['acme', 'beta-roofing', 'gamma', 'delta-7'];
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

// A full replay: the domain's own fold from seq 1 over everything the journal holds.
const replay = async (journal: Journal): Promise<State> => {
  const events: Envelope[] = [];
  for (let page = await journal.read({ after: 0, limit: 1000 }); page.length > 0; page = await journal.read({ after: events.length, limit: 1000 })) {
    events.push(...page);
  }
  return events.reduce(evolve, initialState());
};

// One step an operator or the scheduler might take. Run outcomes are appended as the
// scheduler's events: the property is about projecting, whichever command recorded them.
type Step =
  | { kind: 'command'; command: Command }
  | { kind: 'finish'; tenant: string; ok: boolean; durationMs: number }
  | { kind: 'clock'; ms: number }
  | { kind: 'restart' };

const tenant = fc.constantFrom(...TENANTS);
const spec = fc.oneof(
  fc.record({ every: fc.integer({ min: 10, max: 7 * 24 * 3600 }) }),
  fc.record({ cron: fc.constantFrom('*/5 * * * *', '0 6 * * 1-5'), timezone: fc.constantFrom('UTC', 'America/Denver') }),
);
const runner = fc.constantFrom('demo' as const, 'http' as const);
// Weighted so that most commands find a schedule to act on.
const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ type: fc.constant('CreateSchedule' as const), tenant, spec, runner, paused: fc.boolean() }) },
  fc.record({ type: fc.constant('UpdateSchedule' as const), tenant, spec, runner }),
  fc.record({ type: fc.constant('UpdateSchedule' as const), tenant, policy: fc.record({ timeoutSeconds: fc.integer({ min: 1, max: 600 }) }) }),
  {
    weight: 2,
    arbitrary: fc.record({ type: fc.constant('PauseSchedule' as const), tenant, reason: fc.constantFrom('CRM maintenance', 'credentials expired ✗', 'Wartung — später') }),
  },
  { weight: 2, arbitrary: fc.record({ type: fc.constant('ResumeSchedule' as const), tenant }) },
  fc.record({ type: fc.constant('DeleteSchedule' as const), tenant }),
  { weight: 2, arbitrary: fc.record({
    type: fc.constant('StartRun' as const),
    tenant,
    runId: fc.uuid(),
    trigger: fc.constantFrom('scheduled' as const, 'manual' as const, 'catchup' as const, 'retry' as const),
    scheduledFor: fc.constant(new Date(T0).toISOString()),
    attempt: fc.integer({ min: 1, max: 3 }),
  }) },
);
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 10, arbitrary: command.map((c) => ({ kind: 'command' as const, command: c })) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('finish' as const), tenant, ok: fc.boolean(), durationMs: fc.integer({ min: 0, max: 60_000 }) }) },
  // the clock may also step back: the journal keeps ts monotonic
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('clock' as const), ms: fc.integer({ min: -60_000, max: 3_600_000 }) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'restart' as const }) },
);

const logCollector = () => {
  const fields: Record<string, unknown>[] = [];
  const log: Logger = {
    debug() {},
    info: (m, f) => {
      if (m === 'journal opened' && f) fields.push(f);
    },
    warn() {},
    error() {},
  };
  return { log, opened: () => fields[fields.length - 1] };
};

// Starts a second server on a copy of the directory taken now, as a restart after a crash
// would find it: the newest snapshot (written every few events) and the journal tail.
const restartFromCopy = async (dataDir: string, snapshotEvery: number) => {
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-prop-copy-'));
  dirs.push(copy);
  // a snapshot being written meanwhile comes and goes as a .tmp: not part of what a crash keeps
  fs.cpSync(dataDir, copy, { recursive: true, filter: (src) => !src.endsWith('.tmp') });
  fs.rmSync(path.join(copy, '.lock'), { force: true });
  const collector = logCollector();
  const store = await openFileStore({ dataDir: copy, log: collector.log, segmentBytes: 2048, snapshotEvery });
  return { store, opened: collector.opened() };
};

describe('projections', () => {
  it('after a restart (snapshot + tail) equal those built live and a full replay from seq 1, for any command sequence', { timeout: 600_000 }, async () => {
    let resumedWithTail = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 10, maxLength: 160, size: 'large' }), fc.integer({ min: 1, max: 8 }), async (steps, snapshotEvery) => {
        const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-prop-'));
        dirs.push(dataDir);
        const clock = new ManualClock(T0);
        let n = 0;
        const newId = () => `id-${++n}`;
        const store: Store = await openFileStore({ dataDir, log: logCollector().log, segmentBytes: 2048, snapshotEvery });
        const service = new CommandService({ store, clock, newId });
        const origin = { source: 'api' as const, actor: 'operator' };

        const check = async () => {
          const live = store.projector.toState();
          expect(live).toEqual(await replay(store.journal));
          const restarted = await restartFromCopy(dataDir, snapshotEvery);
          expect(restarted.store.projector.toState()).toEqual(live);
          if (restarted.opened?.snapshot !== 'none' && Number(restarted.opened?.replayed) > 0) resumedWithTail += 1;
          await restarted.store.close();
        };

        // Commands of consecutive steps run concurrently, as requests from many operators do.
        let batch: Promise<unknown>[] = [];
        const settle = async () => {
          await Promise.allSettled(batch);
          batch = [];
        };
        for (const s of steps) {
          if (s.kind === 'command') {
            batch.push(service.execute(s.command, origin));
          } else if (s.kind === 'clock') {
            clock.advance(s.ms);
          } else if (s.kind === 'finish') {
            await settle();
            const running = store.projector.schedules.get(s.tenant)?.running;
            if (!running) continue;
            const ts = new Date(clock.now()).toISOString();
            const base = { id: newId(), ts, tenant: s.tenant, source: 'scheduler', actor: 'scheduler' };
            const event = s.ok
              ? { ...base, type: 'run.succeeded', data: { runId: running.runId, durationMs: s.durationMs, result: { imported: s.durationMs % 500 } } }
              : {
                  ...base,
                  type: 'run.failed',
                  data: { runId: running.runId, durationMs: s.durationMs, error: 'CRM said 502', errorClass: 'remote', attempt: running.attempt, willRetry: s.durationMs % 2 === 0 },
                };
            await store.journal.append([event as Unsequenced]);
          } else {
            await settle();
            await check();
          }
        }
        await settle();
        await check();

        // A clean stop writes a snapshot at the last seq; the next start replays nothing.
        const live = store.projector.toState();
        await store.close();
        const collector = logCollector();
        const reopened = await openFileStore({ dataDir, log: collector.log, segmentBytes: 2048, snapshotEvery });
        expect(reopened.projector.toState()).toEqual(live);
        if (live.seq > 0) expect(collector.opened()).toMatchObject({ snapshot: 'snapshot.json', replayed: 0 });
        await reopened.close();
        fs.rmSync(dataDir, { recursive: true, force: true });
      }),
      // A run that hangs fails with its counterexample instead of timing the test out; no
      // shrinking, which would replay long sequences on disk for minutes.
      { numRuns: 30, endOnFailure: true, timeout: 20_000 },
    );
    // the property really exercised snapshot + tail, not only full replays or empty tails
    expect(resumedWithTail).toBeGreaterThan(10);
  });

  it('stays equal to the fold past the audit and run limits, also when restored from a state mid-way', async () => {
    const store = openMemoryStore();
    const clock = new ManualClock(T0);
    const service = new CommandService({ store, clock });
    const origin = { source: 'scheduler' as const, actor: 'scheduler' };
    await service.execute({ type: 'CreateSchedule', tenant: 'acme', spec: { every: 60 }, runner: 'demo' }, origin);
    let restored: Projector | undefined;
    for (let i = 0; i < 1300; i++) {
      clock.advance(60_000);
      const runId = `run-${i}`;
      await service.execute({ type: 'StartRun', tenant: 'acme', runId, trigger: 'scheduled', scheduledFor: new Date(clock.now()).toISOString(), attempt: 1 }, origin);
      const base = { id: `f-${i}`, ts: new Date(clock.now()).toISOString(), tenant: 'acme', source: 'scheduler', actor: 'scheduler' };
      const finish = i % 3 === 0
        ? { ...base, type: 'run.failed', data: { runId, durationMs: 10, error: 'timeout', errorClass: 'timeout', attempt: 1, willRetry: false } }
        : { ...base, type: 'run.succeeded', data: { runId, durationMs: 10 } };
      await store.journal.append([finish as Unsequenced]);
      if (i === 700) {
        // as a restart would: from a snapshot's JSON, then the events after it
        const from = Projector.from(JSON.parse(JSON.stringify(store.projector.toState())) as State);
        restored = from;
        store.journal.subscribe(from.seq, (events) => events.forEach((e) => from.apply(e)));
      }
    }
    const fold = await replay(store.journal);
    expect(fold.audit).toHaveLength(100);
    expect(fold.runs).toHaveLength(500);
    expect(store.projector.toState()).toEqual(fold);
    expect(restored!.toState()).toEqual(fold);
    await store.close();
  });
});
