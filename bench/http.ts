// npm run bench:http — GET /api/schedules with 1,000 schedules: requests/s through Command
// Center (Hono, host/CORS/auth middleware, request log off) against a raw node:http server
// doing the same application work, each in its own process, loaded by autocannon from
// this one. Quoted as a ratio. BENCH_SECONDS and BENCH_CONNECTIONS change the load.
import { fork } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const SCHEDULES = 1000;
const TOKEN = 'bench-operator-token-0123456789';
const here = path.dirname(fileURLToPath(import.meta.url));

const measure = async (kind: 'floor' | 'app') => {
  const server = fork(path.join(here, 'http-server.ts'), [kind, String(SCHEDULES)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve) => server.once('message', (m: { port: number }) => resolve(m.port)));
  const url = `http://127.0.0.1:${port}/api/schedules`;
  const headers = { authorization: `Bearer ${TOKEN}` };
  // warm up the JIT on both sides before measuring
  await autocannon({ url, headers, connections: CONNECTIONS, duration: 3 });
  process.stderr.write(`… ${kind}: ${SECONDS} s with ${CONNECTIONS} connections\n`);
  const result = await autocannon({ url, headers, connections: CONNECTIONS, duration: SECONDS });
  server.send('exit');
  return { kind, rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, non2xx: result.non2xx, bytes: result.throughput.average };
};

const floor = await measure('floor');
const app = await measure('app');
const row = (r: typeof floor) => `| ${r.kind === 'app' ? 'Command Center' : 'raw node:http floor'} | ${r.rps.toFixed(0)} | ${r.p50} | ${r.p99} | ${(r.bytes / 2 ** 20).toFixed(1)} | ${r.non2xx} |`;
process.stdout.write(
  [
    `GET /api/schedules, ${SCHEDULES} schedules, ${CONNECTIONS} connections, ${SECONDS} s`,
    '',
    '| server | requests/s | p50 ms | p99 ms | MB/s | non-2xx |',
    '| --- | --- | --- | --- | --- | --- |',
    row(floor),
    row(app),
    '',
    `ratio ${(app.rps / floor.rps).toFixed(3)} of the floor`,
    '',
  ].join('\n'),
);
process.exit(0);
