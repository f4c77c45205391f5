// npm run bench:sse — 2,000 concurrent SSE clients on loopback (a separate load process),
// 50 events/s for 60 s, against Command Center's stream route and, in the same run, a
// minimal raw node:http broadcaster as the floor. Reports append-to-client latency p50/p99,
// deliveries/s, events missed, and the server's peak RSS and CPU. Nothing is asserted.
// BENCH_CLIENTS, BENCH_RATE and BENCH_SECONDS change the load.
import { type ChildProcess, fork } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 2000);
const RATE = Number(process.env.BENCH_RATE ?? 50);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
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
  total: number;
  seconds: number;
  publishedAt: number[];
  cpuPercent: number;
  peakRssMb: number;
}

const measure = async (kind: 'floor' | 'app') => {
  process.stderr.write(`… ${kind}: starting server, connecting ${CLIENTS} clients\n`);
  const server = start('sse-server.ts', [kind]);
  const { port } = await next<{ port: number }>(server, 'listening');
  const load = start('sse-load.ts', [String(port), String(CLIENTS)]);
  await next(load, 'connected');
  server.send({ type: 'clients' });
  const { count } = await next<{ count: number }>(server, 'clients');
  process.stderr.write(`… ${kind}: ${count} clients connected; ${RATE} events/s for ${SECONDS} s\n`);
  server.send({ type: 'run', rate: RATE, seconds: SECONDS });
  const done = await next<Done>(server, 'done');
  // let the last events reach every client
  await new Promise((resolve) => setTimeout(resolve, 2000));
  load.send({ type: 'report', total: done.total, publishedAt: done.publishedAt });
  const report = await next<Report>(load, 'report');
  load.kill();
  server.send({ type: 'exit' });
  const { publishedAt: _times, ...rest } = done;
  return { kind, ...report, ...rest };
};

// BENCH_ORDER=app-first swaps the order, to check that going first or second changes nothing
const appFirst = process.env.BENCH_ORDER === 'app-first';
const first = await measure(appFirst ? 'app' : 'floor');
const second = await measure(appFirst ? 'floor' : 'app');
const [floor, app] = appFirst ? [second, first] : [first, second];
const f = (n: number | null, d = 1) => (n === null ? "n/a" : n.toFixed(d));
const rows = [floor, app].map((r) =>
  `| ${r.kind === 'app' ? 'Command Center' : 'raw node:http floor'} | ${f(r.p50ms)} | ${f(r.p99ms)} | ${f(r.fanoutP50ms)} | ${f(r.fanoutP99ms)} | ${f(r.fanoutMaxMs, 0)} | ${f(r.deliveriesPerSecond, 0)} | ${r.missed} | ${r.duplicates} | ${f(r.peakRssMb, 0)} | ${f(r.cpuPercent, 0)} |`,
);
process.stdout.write(
  [
    `SSE: ${CLIENTS} clients, ${RATE} events/s for ${SECONDS} s (${floor.total} events each)`,
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
