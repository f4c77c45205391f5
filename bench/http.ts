// npm run bench:http — GET /api/schedules with 1,000 schedules: requests/s through Command
// Center (Hono, host/CORS/auth middleware, request log off) against a raw node:http server
// doing the same application work, each in its own process, loaded by autocannon from
// this one. Quoted as a ratio. BENCH_SECONDS, BENCH_ROUNDS and BENCH_CONNECTIONS change the load.
import { fork } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const SCHEDULES = 1000;
const TOKEN = 'bench-operator-token-0123456789';
const here = path.dirname(fileURLToPath(import.meta.url));

const startServer = async (kind: 'floor' | 'app') => {
  const server = fork(path.join(here, 'http-server.ts'), [kind, String(SCHEDULES)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve) => server.once('message', (m: { port: number }) => resolve(m.port)));
  return { kind, server, url: `http://127.0.0.1:${port}/api/schedules` };
};

const headers = { authorization: `Bearer ${TOKEN}` };
const servers = [await startServer('floor'), await startServer('app')];
// warm up the JIT on both sides before measuring
for (const s of servers) await autocannon({ url: s.url, headers, connections: CONNECTIONS, duration: 3 });
// Alternate short runs and take medians, so a neighbour's load on a shared machine weighs
// on both servers alike instead of on whichever ran at the wrong moment.
const runs: Record<string, Array<{ rps: number; p50: number; p99: number; non2xx: number; bytes: number }>> = { floor: [], app: [] };
for (let round = 0; round < ROUNDS; round++) {
  for (const s of round % 2 === 0 ? servers : [...servers].reverse()) {
    process.stderr.write(`… ${s.kind}: round ${round + 1} of ${ROUNDS}, ${SECONDS} s with ${CONNECTIONS} connections\n`);
    const r = await autocannon({ url: s.url, headers, connections: CONNECTIONS, duration: SECONDS });
    runs[s.kind]!.push({ rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx, bytes: r.throughput.average });
  }
}
for (const s of servers) s.server.send('exit');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const summary = (kind: 'floor' | 'app') => {
  const rs = runs[kind]!;
  return { kind, rps: median(rs.map((r) => r.rps)), p50: median(rs.map((r) => r.p50)), p99: median(rs.map((r) => r.p99)), bytes: median(rs.map((r) => r.bytes)), non2xx: rs.reduce((n, r) => n + r.non2xx, 0), all: rs.map((r) => r.rps.toFixed(0)).join(' / ') };
};
const floor = summary('floor');
const app = summary('app');
const row = (r: typeof floor) => `| ${r.kind === 'app' ? 'Command Center' : 'raw node:http floor'} | ${r.rps.toFixed(0)} | ${r.all} | ${r.p50} | ${r.p99} | ${(r.bytes / 2 ** 20).toFixed(1)} | ${r.non2xx} |`;
process.stdout.write(
  [
    `GET /api/schedules, ${SCHEDULES} schedules, ${CONNECTIONS} connections, ${ROUNDS} alternating rounds of ${SECONDS} s (medians)`,
    '',
    '| server | requests/s | each round | p50 ms | p99 ms | MB/s | non-2xx |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    row(floor),
    row(app),
    '',
    `ratio ${(app.rps / floor.rps).toFixed(3)} of the floor`,
    '',
  ].join('\n'),
);
process.exit(0);
