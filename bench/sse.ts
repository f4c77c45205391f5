// npm run bench:sse — 2,000 concurrent SSE clients on loopback (a separate load process),
// 50 events/s for 60 s, against Command Center's stream route and, in the same run, a
// minimal raw node:http broadcaster as the floor. Reports append-to-client latency p50/p99,
// deliveries/s, events missed, and the server's peak RSS and CPU. Nothing is asserted.
// BENCH_CLIENTS, BENCH_RATE, BENCH_SECONDS (per server) and BENCH_ROUNDS change the load.
import { type ChildProcess, fork } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 2000);
const RATE = Number(process.env.BENCH_RATE ?? 50);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 6);
const here = path.dirname(fileURLToPath(import.meta.url));

const start = (file: string, args: string[]) => fork(path.join(here, file), args, { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
const next = <T>(child: ChildProcess, type: string) =>
  new Promise<T>((resolve, reject) => {
    const onMessage = (m: { type: string }) => {
      if (m.type === type) {
        child.off('message', onMessage);
        resolve(m as T);
      }
    };
    child.on('message', onMessage);
    child.once('exit', (code) => reject(new Error(`${type}: child exited with ${code}`)));
  });

interface Report {
  delivered: number;
  deliveriesPerSecond: number;
  p50ms: number;
  p99ms: number;
  maxMs: number;
  fanoutP50ms: number;
  fanoutP99ms: number;
  fanoutMaxMs: number;
  missed: number;
  duplicates: number;
  clientsMissing: number;
}
interface Done {
  seconds: number;
  publishedAt: number[];
  cpuPercent: number;
  peakRssMb: number;
}

type Kind = 'floor' | 'app';
const connect = async (kind: Kind) => {
  process.stderr.write(`… ${kind}: starting server, connecting ${CLIENTS} clients\n`);
  const server = start('sse-server.ts', [kind]);
  const { port } = await next<{ port: number }>(server, 'listening');
  const load = start('sse-load.ts', [String(port), String(CLIENTS)]);
  await next(load, 'connected');
  server.send({ type: 'clients' });
  const { count } = await next<{ count: number }>(server, 'clients');
  process.stderr.write(`… ${kind}: ${count} clients connected\n`);
  return { kind, server, load, nextSeq: 1 };
};

// Both servers keep their clients connected all along and take turns emitting, in short
// alternating rounds: on a shared machine a neighbour's burst then weighs on both alike.
const targets = [await connect('floor'), await connect('app')];
for (let round = 0; round < ROUNDS; round++) {
  for (const t of round % 2 === 0 ? targets : [...targets].reverse()) {
    process.stderr.write(`… round ${round + 1} of ${ROUNDS}: ${t.kind}, ${RATE} events/s for ${SECONDS / ROUNDS} s\n`);
    t.server.send({ type: 'run', rate: RATE, seconds: SECONDS / ROUNDS, from: t.nextSeq });
    t.nextSeq = (await next<{ next: number }>(t.server, 'done')).next;
    // let the round's last events reach every client before the other server starts
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}
const results = [];
for (const t of targets) {
  t.server.send({ type: 'stats' });
  const stats = await next<Done>(t.server, 'stats');
  const total = t.nextSeq - 1;
  t.load.send({ type: 'report', total, publishedAt: stats.publishedAt });
  const report = await next<Report>(t.load, 'report');
  t.load.kill();
  t.server.send({ type: 'exit' });
  const { publishedAt: _times, ...rest } = stats;
  // deliveries over the time this server was emitting (the load idles through the other's turns)
  results.push({ kind: t.kind, total, ...report, ...rest, deliveriesPerSecond: report.delivered / stats.seconds });
}
const [floor, app] = results as [(typeof results)[number], (typeof results)[number]];
const f = (n: number | null, d = 1) => (n === null ? "n/a" : n.toFixed(d));
const rows = [floor, app].map((r) =>
  `| ${r.kind === 'app' ? 'Command Center' : 'raw node:http floor'} | ${f(r.p50ms)} | ${f(r.p99ms)} | ${f(r.fanoutP50ms)} | ${f(r.fanoutP99ms)} | ${f(r.fanoutMaxMs, 0)} | ${f(r.deliveriesPerSecond, 0)} | ${r.missed} | ${r.duplicates} | ${f(r.peakRssMb, 0)} | ${f(r.cpuPercent, 0)} |`,
);
process.stdout.write(
  [
    `SSE: ${CLIENTS} clients per server, ${RATE} events/s for ${SECONDS} s per server in ${ROUNDS} alternating rounds (${floor.total} events each)`,
    '',
    'append→client: from the append call (the app: includes the fsync that must precede delivery); publish→client: from the hand-over to the fan-out',
    '',
    '| server | append→client p50 ms | append→client p99 ms | publish→client p50 ms | publish→client p99 ms | publish→client max ms | deliveries/s | missed | duplicates | peak RSS MB | CPU % |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
    `p99 ratio append→client ${f(app.p99ms / floor.p99ms, 2)}, publish→client ${f(app.fanoutP99ms / floor.fanoutP99ms, 2)} (target ≤ 1.5); deliveries ratio ${f(app.deliveriesPerSecond / floor.deliveriesPerSecond, 3)} (target ≥ 0.95); ` +
      `clients missing an event: ${app.clientsMissing}; RSS ${f(app.peakRssMb, 0)} MB (target ≤ 300)`,
    '',
  ].join('\n'),
);
process.exit(0);
