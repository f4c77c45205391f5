// npm run bench:journal — durable append throughput against embedded peers, start-up time
// with 10k / 100k / 1M events, full verify and replay rates, memory. Everything runs on temp
// directories under os.tmpdir(); nothing here is asserted by the test suite.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { State } from '../src/core/domain/projection.ts';
import { FileJournal } from '../src/core/journal/file-journal.ts';
import { verifyJournal } from '../src/core/journal/verify.ts';
import { Projector } from '../src/core/projections/projector.ts';
import { SnapshotStore } from '../src/core/store/snapshot-store.ts';
import { openLowdb, openNedb, openOurs, openSqlite, type Target } from './journal-peers.ts';
import { generateJournal, runStarted } from './journal-workload.ts';

const SNAPSHOT_EVERY = 10_000; // the file store's default
const APPEND_MS = Number(process.env.BENCH_APPEND_MS ?? 3000);
const PEER_MS = Number(process.env.BENCH_PEER_MS ?? 2500);
const STARTUP_REPEATS = 5;
const SIZES = [10_000, 100_000, 1_000_000];
const CONCURRENCY = [1, 16, 256];

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-bench-journal-'));
const here = path.dirname(fileURLToPath(import.meta.url));
const mb = (bytes: number) => bytes / (1024 * 1024);
const fixed = (n: number, digits = 0) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const freshDir = (name: string) => fs.mkdtempSync(path.join(root, `${name}-`));
const progress = (message: string) => process.stderr.write(`… ${message}\n`);

interface AppendResult {
  store: string;
  concurrency: number;
  ops: number;
  seconds: number;
  perSecond: number;
  p50ms: number;
  p99ms: number;
}

// `concurrency` callers, each appending one event at a time and awaiting its acknowledgement.
const drive = async (store: string, target: Target, concurrency: number, budgetMs: number): Promise<AppendResult> => {
  const latencies: number[] = [];
  let issued = 0;
  const started = performance.now();
  const deadline = started + budgetMs;
  const caller = async () => {
    while (performance.now() < deadline) {
      const event = runStarted(issued++);
      const t = performance.now();
      await target.append(event);
      latencies.push(performance.now() - t);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, caller));
  const seconds = (performance.now() - started) / 1000;
  await target.close();
  const sorted = Float64Array.from(latencies).sort();
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  return { store, concurrency, ops: latencies.length, seconds, perSecond: latencies.length / seconds, p50ms: at(0.5), p99ms: at(0.99) };
};

const benchAppends = async (): Promise<AppendResult[]> => {
  const results: AppendResult[] = [];
  progress('warming up the file journal');
  await drive('warm-up', await openOurs(freshDir('warm')), 256, 500);
  for (const c of CONCURRENCY) {
    progress(`file journal, ${c} concurrent appenders`);
    results.push(await drive('file journal', await openOurs(freshDir('ours')), c, APPEND_MS));
  }
  progress('better-sqlite3');
  results.push(await drive('better-sqlite3', openSqlite(freshDir('sqlite')), 1, PEER_MS));
  for (const c of CONCURRENCY) {
    progress(`lowdb, ${c} concurrent appenders`);
    results.push(await drive('lowdb', await openLowdb(freshDir('lowdb')), c, PEER_MS));
  }
  for (const c of CONCURRENCY) {
    progress(`nedb, ${c} concurrent appenders`);
    results.push(await drive('nedb', await openNedb(freshDir('nedb')), c, PEER_MS));
  }
  return results;
};

interface StartupRun {
  ms: number;
  seq: number;
  tenants: number;
  snapshot: string;
  replayed: number;
  rssBefore: number;
  rss: number;
  heapUsed: number;
  maxRss: number;
  warnings: string[];
}

interface StartupResult {
  events: number;
  stop: 'graceful' | 'SIGKILL';
  ms: number;
  runsMs: number[];
  replayed: number;
  snapshot: string;
  rssMb: number;
  maxRssMb: number;
}

const startChild = (dataDir: string): StartupRun => {
  const child = spawnSync(process.execPath, ['--import', 'tsx', path.join(here, 'journal-startup.ts'), dataDir], {
    cwd: path.join(here, '..'),
    encoding: 'utf8',
  });
  if (child.status !== 0) throw new Error(`start-up child failed (${child.status}): ${child.stderr}`);
  return JSON.parse(child.stdout.trim().split('\n').pop()!) as StartupRun;
};

const measureStartups = (events: number, stop: StartupResult['stop'], dataDir: string, prepare: () => void): StartupResult => {
  const runs: StartupRun[] = [];
  for (let i = 0; i < STARTUP_REPEATS; i++) {
    prepare();
    const run = startChild(dataDir);
    if (run.seq !== events) throw new Error(`start-up saw seq ${run.seq}, expected ${events}`);
    if (run.warnings.length > 0 && stop === 'graceful') throw new Error(`start-up warned: ${run.warnings.join('; ')}`);
    runs.push(run);
  }
  const ms = median(runs.map((r) => r.ms));
  return {
    events,
    stop,
    ms,
    runsMs: runs.map((r) => r.ms),
    replayed: runs[0]!.replayed,
    snapshot: runs[0]!.snapshot,
    rssMb: mb(Math.max(...runs.map((r) => r.rss))),
    maxRssMb: mb(Math.max(...runs.map((r) => r.maxRss))),
  };
};

interface FullScan {
  events: number;
  bytes: number;
  verify: { seconds: number; perSecond: number; ok: boolean };
  replay: { seconds: number; perSecond: number };
}

const benchStartupAndScans = async (): Promise<{ startups: StartupResult[]; scan: FullScan }> => {
  const startups: StartupResult[] = [];
  let scan: FullScan | undefined;
  let verify: FullScan['verify'] | undefined;
  for (const events of SIZES) {
    const dataDir = freshDir(`startup-${events}`);
    const journalDir = path.join(dataDir, 'journal');
    progress(`generating a journal of ${fixed(events)} events`);
    const generated = generateJournal(journalDir, events, SNAPSHOT_EVERY - 1);
    const top = events === SIZES[SIZES.length - 1];
    if (top) {
      progress(`verifying ${fixed(events)} events`);
      const t = performance.now();
      const report = await verifyJournal(journalDir);
      const seconds = (performance.now() - t) / 1000;
      verify = { seconds, perSecond: report.events / seconds, ok: report.ok && report.events === events };
    }
    // Both snapshots hold what a full replay folds, so it runs for every size; it is timed on the largest.
    progress(`replaying ${fixed(events)} events into the projector`);
    const projector = new Projector();
    let killedState: State | undefined;
    const t = performance.now();
    const { journal } = await FileJournal.open({
      dir: journalDir,
      onReplay: (e) => {
        projector.apply(e);
        if (e.seq === generated.killed.seq) killedState = projector.toState();
      },
    });
    const replaySeconds = (performance.now() - t) / 1000;
    await journal.close();
    if (projector.seq !== events || !killedState) throw new Error(`full replay ended at seq ${projector.seq}, expected ${events}`);
    if (top && verify) scan = { events, bytes: generated.bytes, verify, replay: { seconds: replaySeconds, perSecond: events / replaySeconds } };
    const states = {
      graceful: { position: generated.graceful, state: projector.toState() },
      killed: { position: generated.killed, state: killedState },
    };
    const snapshots = new SnapshotStore(dataDir);
    const lock = path.join(dataDir, '.lock');
    const setSnapshot = async (which: 'graceful' | 'killed') => {
      for (const f of ['snapshot.json', 'snapshot.json.bak']) fs.rmSync(path.join(dataDir, f), { force: true });
      await snapshots.write({ format: 1, ...states[which] });
    };

    progress(`start-up with ${fixed(events)} events after a graceful stop`);
    await setSnapshot('graceful');
    startups.push(measureStartups(events, 'graceful', dataDir, () => fs.rmSync(lock, { force: true })));

    progress(`start-up with ${fixed(events)} events after a SIGKILL`);
    await setSnapshot('killed');
    // a killed server leaves its lock behind; the pid of a child we already reaped is dead
    const deadPid = spawnSync(process.execPath, ['-e', '']).pid!;
    startups.push(measureStartups(events, 'SIGKILL', dataDir, () => fs.writeFileSync(lock, `${deadPid}\n`)));

    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  return { startups, scan: scan! };
};

const table = (title: string, header: string[], rows: string[][]) => {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(`\n${title}\n${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}`);
  for (const r of rows) console.log(line(r));
};

const main = async () => {
  const began = performance.now();
  console.log(`bench:journal — node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}), temp ${root}`);
  const appends = await benchAppends();
  const { startups, scan } = await benchStartupAndScans();

  const ours = (c: number) => appends.find((r) => r.store === 'file journal' && r.concurrency === c)!;
  const sqlite = appends.find((r) => r.store === 'better-sqlite3')!;
  const peer = (store: string, c: number) => appends.find((r) => r.store === store && r.concurrency === c);
  table(
    'Durable appends (one ~250-byte run.started per append() call)',
    ['store', 'appenders', 'ops', 'appends/s', 'p50 ms', 'p99 ms'],
    appends.map((r) => [r.store, r.store === 'better-sqlite3' ? '1 (sync)' : String(r.concurrency), fixed(r.ops), fixed(r.perSecond), fixed(r.p50ms, 3), fixed(r.p99ms, 3)]),
  );
  const ratios = CONCURRENCY.map((c) => {
    const o = ours(c).perSecond;
    return {
      concurrency: c,
      sqlite: o / sqlite.perSecond,
      lowdb: o / (peer('lowdb', c)?.perSecond ?? Number.NaN),
      nedb: o / (peer('nedb', c)?.perSecond ?? Number.NaN),
    };
  });
  table(
    'Ours / theirs (appends/s at the same number of appenders; better-sqlite3 is sequential)',
    ['appenders', 'vs better-sqlite3', 'vs lowdb', 'vs nedb'],
    ratios.map((r) => [String(r.concurrency), `${fixed(r.sqlite, 1)}×`, `${fixed(r.lowdb, 1)}×`, `${fixed(r.nedb, 1)}×`]),
  );
  console.log('(lowdb and nedb never fsync: their figures are not durable appends.)');

  table(
    `Start-up: openFileStore (lock + snapshot + tail replay), fresh child process, median of ${STARTUP_REPEATS}`,
    ['events', 'stop', 'snapshot', 'tail replayed', 'start-up ms', 'runs ms', 'RSS after MB', 'max RSS MB'],
    startups.map((s) => [fixed(s.events), s.stop, s.snapshot, fixed(s.replayed), fixed(s.ms, 1), s.runsMs.map((m) => fixed(m, 1)).join(' / '), fixed(s.rssMb, 1), fixed(s.maxRssMb, 1)]),
  );

  table(`Full scans of ${fixed(scan.events)} events (${fixed(mb(scan.bytes))} MB)`, ['scan', 'seconds', 'events/s', 'MB/s'], [
    ['verifyJournal (hash chain + seq)', fixed(scan.verify.seconds, 2), fixed(scan.verify.perSecond), fixed(mb(scan.bytes) / scan.verify.seconds)],
    ['full replay (verify + parse + projector)', fixed(scan.replay.seconds, 2), fixed(scan.replay.perSecond), fixed(mb(scan.bytes) / scan.replay.seconds)],
  ]);

  const peakRssMb = mb(process.resourceUsage().maxRSS * 1024);
  const childPeakMb = Math.max(...startups.map((s) => s.maxRssMb));
  console.log(`\nPeak RSS: benchmark process ${fixed(peakRssMb, 1)} MB; start-up children ${fixed(childPeakMb, 1)} MB`);

  const startup = (events: number, stop: StartupResult['stop']) => startups.find((s) => s.events === events && s.stop === stop)!;
  const top = SIZES[SIZES.length - 1]!;
  const targets: Record<string, boolean> = {
    'appends/s at 256 appenders >= 100,000': ours(256).perSecond >= 100_000,
    '>= 10x better-sqlite3 at 256 appenders': ours(256).perSecond >= 10 * sqlite.perSecond,
    'start-up with 1M events <= 0.5 s (graceful)': startup(top, 'graceful').ms <= 500,
    'start-up with 1M events <= 0.5 s (SIGKILL)': startup(top, 'SIGKILL').ms <= 500,
    'start-up 1M within 1.5x of 10k (graceful)': startup(top, 'graceful').ms <= 1.5 * startup(SIZES[0]!, 'graceful').ms,
    'start-up 1M within 1.5x of 10k (SIGKILL)': startup(top, 'SIGKILL').ms <= 1.5 * startup(SIZES[0]!, 'SIGKILL').ms,
    'verify >= 500,000 events/s': scan.verify.perSecond >= 500_000 && scan.verify.ok,
    'full replay >= 500,000 events/s': scan.replay.perSecond >= 500_000,
    'RSS after start-up with 1M events <= 150 MB': Math.max(startup(top, 'graceful').rssMb, startup(top, 'SIGKILL').rssMb) <= 150,
  };
  console.log('\nTargets');
  for (const [name, met] of Object.entries(targets)) console.log(`  ${met ? 'met   ' : 'MISSED'}  ${name}`);

  const round = (n: number) => Math.round(n * 1000) / 1000;
  const summary = {
    appends: appends.map((r) => ({ store: r.store, concurrency: r.concurrency, perSecond: Math.round(r.perSecond), p50ms: round(r.p50ms), p99ms: round(r.p99ms) })),
    ratios: ratios.map((r) => ({ concurrency: r.concurrency, sqlite: round(r.sqlite), lowdb: round(r.lowdb), nedb: round(r.nedb) })),
    startup: startups.map((s) => ({ events: s.events, stop: s.stop, ms: round(s.ms), replayed: s.replayed, rssMb: round(s.rssMb) })),
    verifyPerSecond: Math.round(scan.verify.perSecond),
    replayPerSecond: Math.round(scan.replay.perSecond),
    peakRssMb: round(Math.max(peakRssMb, childPeakMb)),
    targets,
    seconds: round((performance.now() - began) / 1000),
  };
  console.log(`\n${JSON.stringify(summary)}`);
};

try {
  await main();
} finally {
  fs.rmSync(root, { recursive: true, force: true });
}
