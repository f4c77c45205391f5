// npm run bench:scheduler — 10,000 schedules with intervals of 10–60 s on the real clock for
// 60 s with a no-op runner: lateness (runner start − due time), CPU, missed and doubled runs;
// and the CPU between due times, with 10,000 weekly schedules (due times ~60 s apart). Against a naive baseline in the same run: one setInterval per schedule,
// doing the same journal work. Each variant runs in its own process, one after another.
// BENCH_SECONDS and BENCH_SCHEDULES shrink it for a quick look. Nothing here is asserted by
// the test suite.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { systemClock } from '../src/core/clock.ts';
import type { Envelope } from '../src/core/domain/events.ts';
import { nextDue } from '../src/core/domain/timetable.ts';
import { silentLogger } from '../src/core/logger.ts';
import type { Runner } from '../src/core/runners/runner.ts';
import { createScheduler } from '../src/core/scheduler/scheduler.ts';
import { CommandService } from '../src/core/service.ts';
import { openFileStore } from '../src/core/store/file-store.ts';
import { openMemoryStore } from '../src/core/store/memory-store.ts';
import type { Store } from '../src/core/store/store.ts';
import { systemTimers } from '../src/core/timers.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const SCHEDULES = Number(process.env.BENCH_SCHEDULES ?? 10_000);
const IDLE_SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 20);
// monitorEventLoopDelay records the time between its own samples; the delay is what exceeds this.
const LOOP_RESOLUTION_MS = 10;
const ORIGIN = { source: 'api', actor: 'bench' } as const;
const here = fileURLToPath(import.meta.url);

type Phase = 'ours-memory' | 'ours-file' | 'ours-file-cap64' | 'naive-memory' | 'idle-ours' | 'idle-naive';

interface Result {
  phase: Phase;
  runs: number;
  expected: number;
  missed: number;
  doubled: number;
  skipped: number;
  p50: number;
  p99: number;
  max: number;
  // lateness of the recorded run.started (ms resolution), p99
  recordedP99: number;
  cpuPercent: number;
  // how late the event loop itself was (p99, ms): lateness no scheduler in this process can beat
  loopDelayP99: number;
  rssMb: number;
}

const preciseNow = () => performance.timeOrigin + performance.now();
const tenantOf = (i: number) => `tenant-${String(i).padStart(5, '0')}`;
const everyOf = (i: number) => 10 + (i % 51);
const quantile = (sorted: Float64Array, q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

// Creating 10,000 schedules leaves garbage and JIT work behind; let it pass before measuring.
const settleDown = async () => {
  (globalThis as { gc?: () => void }).gc?.();
  await new Promise((resolve) => setTimeout(resolve, 2000));
};

const createAll = async (service: CommandService, count: number, every: (i: number) => number) => {
  // created in parallel batches: the file journal group-commits them
  for (let i = 0; i < count; i += 500) {
    await Promise.all(
      Array.from({ length: Math.min(500, count - i) }, (_, j) =>
        service.execute({ type: 'CreateSchedule', tenant: tenantOf(i + j), spec: { every: every(i + j) }, runner: 'demo' }, ORIGIN),
      ),
    );
  }
};

const allEvents = async (store: Store): Promise<Envelope[]> => {
  const out: Envelope[] = [];
  for (let after = 0; ; ) {
    const page = await store.journal.read({ after, limit: 10_000 });
    if (page.length === 0) return out;
    out.push(...page);
    after = page[page.length - 1]!.seq;
  }
};

// What should have run in (from, until], against what did.
const account = (store: Store, events: Envelope[], from: number, until: number) => {
  const started = new Map<string, number>();
  let skipped = 0;
  const recorded: number[] = [];
  for (const e of events) {
    if (e.type === 'run.skipped') skipped += e.data.count;
    if (e.type !== 'run.started') continue;
    const due = Date.parse(e.data.scheduledFor);
    if (due <= from || due > until) continue;
    const key = `${e.tenant}@${due}`;
    started.set(key, (started.get(key) ?? 0) + 1);
    recorded.push(Date.parse(e.ts) - due);
  }
  let expected = 0;
  let missed = 0;
  for (const s of store.projector.schedules.values()) {
    const anchor = Date.parse(s.anchor);
    for (let due = nextDue(s.spec, anchor, s.tenant, from); due <= until; due = nextDue(s.spec, anchor, s.tenant, due)) {
      expected += 1;
      if (!started.has(`${s.tenant}@${due}`)) missed += 1;
    }
  }
  const doubled = [...started.values()].filter((n) => n > 1).length;
  return { expected, missed, doubled, skipped, recorded: Float64Array.from(recorded).sort() };
};

const ours = async (phase: Phase, store: Store, every: (i: number) => number, seconds: number, maxConcurrent?: number): Promise<Result> => {
  const service = new CommandService({ store, clock: systemClock });
  const lateness: number[] = [];
  let from = Number.POSITIVE_INFINITY;
  const runner: Runner = {
    name: 'demo',
    run: async (req) => {
      const due = Date.parse(req.scheduledFor);
      if (due > from) lateness.push(preciseNow() - due);
      return {};
    },
  };
  await createAll(service, SCHEDULES, every);
  await settleDown();
  const scheduler = createScheduler({ store, service, clock: systemClock, timers: systemTimers, runners: { demo: runner }, log: silentLogger, maxConcurrent });
  await scheduler.start();
  // the due times missed while the schedules were being created are caught up at start;
  // measure from a moment later
  await new Promise((resolve) => setTimeout(resolve, 2000));
  from = Date.now();
  const cpu0 = cpuMs();
  // the monitor wakes the loop every 10 ms itself, so it stays off when measuring idle CPU
  const loop = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  if (!phase.startsWith('idle')) loop.enable();
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const until = Date.now() - 1000;
  const cpu = cpuMs() - cpu0;
  loop.disable();
  await scheduler.stop(5000);
  const a = account(store, await allEvents(store), from, until);
  const sorted = Float64Array.from(lateness).sort();
  await store.close();
  return {
    phase,
    runs: lateness.length,
    expected: a.expected,
    missed: a.missed,
    doubled: a.doubled,
    skipped: a.skipped,
    p50: quantile(sorted, 0.5),
    p99: quantile(sorted, 0.99),
    max: sorted[sorted.length - 1] ?? Number.NaN,
    recordedP99: quantile(a.recorded, 0.99),
    cpuPercent: (100 * cpu) / (seconds * 1000),
    loopDelayP99: phase.startsWith('idle') ? Number.NaN : loop.percentile(99) / 1e6 - LOOP_RESOLUTION_MS,
    rssMb: process.memoryUsage().rss / 2 ** 20,
  };
};

// The obvious way: a timer per schedule. setTimeout to the first due time, then setInterval;
// each tick records the same run.started / run.succeeded pair through the service.
const naive = async (phase: Phase, every: (i: number) => number, seconds: number): Promise<Result> => {
  const store = openMemoryStore();
  const service = new CommandService({ store, clock: systemClock });
  await createAll(service, SCHEDULES, every);
  await settleDown();
  const lateness: number[] = [];
  const timers: NodeJS.Timeout[] = [];
  let from = Number.POSITIVE_INFINITY;
  let n = 0;
  for (const s of store.projector.schedules.values()) {
    const spec = s.spec as { every: number };
    const first = nextDue(spec, Date.parse(s.anchor), s.tenant, Date.now());
    let k = 0;
    const fire = () => {
      const due = first + k * spec.every * 1000;
      k += 1;
      if (due > from) lateness.push(preciseNow() - due);
      const runId = `naive-${++n}`;
      void service
        .execute({ type: 'StartRun', tenant: s.tenant, runId, trigger: 'scheduled', scheduledFor: new Date(due).toISOString(), attempt: 1 }, ORIGIN)
        .then(() => service.execute({ type: 'FinishRun', tenant: s.tenant, runId, durationMs: 0, outcome: { status: 'succeeded' } }, ORIGIN))
        .catch(() => {});
    };
    timers.push(
      setTimeout(() => {
        fire();
        timers.push(setInterval(fire, spec.every * 1000));
      }, first - Date.now()),
    );
  }
  await new Promise((resolve) => setTimeout(resolve, 2000));
  from = Date.now();
  const cpu0 = cpuMs();
  // the monitor wakes the loop every 10 ms itself, so it stays off when measuring idle CPU
  const loop = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  if (!phase.startsWith('idle')) loop.enable();
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const until = Date.now() - 1000;
  const cpu = cpuMs() - cpu0;
  loop.disable();
  for (const t of timers) clearTimeout(t);
  await new Promise((resolve) => setTimeout(resolve, 200));
  const a = account(store, await allEvents(store), from, until);
  const sorted = Float64Array.from(lateness).sort();
  return {
    phase,
    runs: lateness.length,
    expected: a.expected,
    missed: a.missed,
    doubled: a.doubled,
    skipped: a.skipped,
    p50: quantile(sorted, 0.5),
    p99: quantile(sorted, 0.99),
    max: sorted[sorted.length - 1] ?? Number.NaN,
    recordedP99: quantile(a.recorded, 0.99),
    cpuPercent: (100 * cpu) / (seconds * 1000),
    loopDelayP99: phase.startsWith('idle') ? Number.NaN : loop.percentile(99) / 1e6 - LOOP_RESOLUTION_MS,
    rssMb: process.memoryUsage().rss / 2 ** 20,
  };
};

// Weekly schedules: due times are ~60 s apart across all 10,000, so this is almost all idle.
const WEEK = 7 * 24 * 3600;

const runPhase = async (phase: Phase): Promise<Result> => {
  switch (phase) {
    case 'ours-memory':
      return ours(phase, openMemoryStore(), everyOf, SECONDS);
    case 'ours-file':
    case 'ours-file-cap64': {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-bench-scheduler-'));
      try {
        const store = await openFileStore({ dataDir: dir, log: silentLogger });
        return await ours(phase, store, everyOf, SECONDS, phase === 'ours-file-cap64' ? 64 : undefined);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    }
    case 'naive-memory':
      return naive(phase, everyOf, SECONDS);
    case 'idle-ours':
      return ours(phase, openMemoryStore(), () => WEEK, IDLE_SECONDS);
    case 'idle-naive':
      return naive(phase, () => WEEK, IDLE_SECONDS);
  }
};

const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '–');

const main = async () => {
  const phaseArg = process.argv.indexOf('--phase');
  if (phaseArg >= 0) {
    const result = await runPhase(process.argv[phaseArg + 1] as Phase);
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  const phases: Phase[] = ['ours-memory', 'naive-memory', 'ours-file', 'ours-file-cap64', 'idle-ours', 'idle-naive'];
  const results: Result[] = [];
  const load = () => os.loadavg().map((l) => l.toFixed(1)).join(' ');
  process.stderr.write(`bench:scheduler — ${SCHEDULES} schedules, every 10–60 s, ${SECONDS} s each, no-op runner, ${os.cpus().length} CPUs, Node ${process.version}, load ${load()}\n`);
  for (const phase of phases) {
    process.stderr.write(`… ${phase}\n`);
    const child = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', here, '--phase', phase], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 16 * 2 ** 20 });
    const line = child.stdout.trim().split('\n').pop() ?? '';
    if (child.status !== 0 || !line.startsWith('{')) throw new Error(`phase ${phase} failed (exit ${child.status})`);
    results.push(JSON.parse(line) as Result);
  }
  const rows = results.map(
    (r) =>
      `| ${r.phase} | ${r.runs} | ${fmt(r.p50, 2)} | ${fmt(r.p99, 2)} | ${fmt(r.max, 1)} | ${fmt(r.recordedP99, 0)} | ${r.missed} / ${r.expected} | ${r.doubled} | ${r.skipped} | ${fmt(r.cpuPercent, 2)} | ${fmt(r.loopDelayP99, 1)} | ${fmt(r.rssMb, 0)} |`,
  );
  process.stdout.write(
    [
      '',
      '| variant | runs | lateness p50 ms | p99 ms | max ms | recorded start p99 ms | missed / due | doubled | skipped | CPU % of one core | event-loop delay p99 ms | RSS MB |',
      '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
      ...rows,
      '',
      'lateness: runner start − due time (sub-ms clock); recorded start: run.started ts − due time (ms clock).',
      'ours-*: one timer over a heap, default cap of 8 concurrent runs (cap64: 64), every run recorded (run.started, run.succeeded).',
      'On the file store each run.started is fsynced before its runner starts, so under the cap the start rate is bounded by fsync latency.',
      'naive-memory: one setInterval per schedule doing the same two appends, no cap.',
      'event-loop delay: perf_hooks.monitorEventLoopDelay over the same window minus its sampling interval, the floor for any timer in the process.',
      `idle-*: 10,000 weekly schedules (due times ~60 s apart) for ${IDLE_SECONDS} s: the CPU between due times.`,
      `machine: ${os.cpus().length} CPUs, load average after the run ${load()} (other processes share it)`,
      '',
    ].join('\n'),
  );
};

await main();
