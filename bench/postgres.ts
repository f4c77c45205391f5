// npm run bench:postgres — the PostgreSQL store on the local server (DATABASE_URL, default
// postgres://postgres@127.0.0.1:5432/test), each run in a fresh schema dropped afterwards:
//   1. durable appends/s with 1 and 3 instances (processes), 1 and 64 appenders each
//   2. cross-instance append-to-subscriber latency p50/p99, alone and with another instance
//      appending flat out
//   3. three real `serve` instances: POST on A → SSE frame on B and C, p50/p99
// Nothing here is asserted by the test suite. BENCH_APPEND_MS, BENCH_SAMPLES change the load;
// BENCH_PARTS=appends,cross,sse picks parts.
import { type ChildProcess, fork, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const APPEND_MS = Number(process.env.BENCH_APPEND_MS ?? 5000);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 500);
const PARTS = new Set((process.env.BENCH_PARTS ?? 'appends,cross,sse').split(','));
const here = path.dirname(fileURLToPath(import.meta.url));
const progress = (message: string) => process.stderr.write(`… ${message}\n`);
const fixed = (n: number, digits = 0) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const quantile = (xs: number[], q: number) => {
  const sorted = Float64Array.from(xs).sort();
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
};

const admin = new pg.Client({ connectionString: URL });
await admin.connect();
const schemas: string[] = [];
const freshSchema = () => {
  const schema = `cc_bench_${randomBytes(4).toString('hex')}`;
  schemas.push(schema);
  return schema;
};

type Peer = ChildProcess;
const next = <T>(child: Peer, type: string) =>
  new Promise<T>((resolve, reject) => {
    const onMessage = (m: { type: string }) => {
      if (m.type === type) {
        child.off('message', onMessage);
        resolve(m as T);
      }
    };
    child.on('message', onMessage);
    child.once('exit', (code) => reject(new Error(`${type}: peer exited with ${code}`)));
  });
const startPeers = async (schema: string, count: number): Promise<Peer[]> => {
  const peers: Peer[] = [];
  for (let i = 0; i < count; i++) {
    // one after another: the first migrates the schema
    const peer = fork(path.join(here, 'postgres-peer.ts'), [URL, schema, `p${i}`], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    await next(peer, 'ready');
    peers.push(peer);
  }
  return peers;
};
const closePeers = async (peers: Peer[]) => {
  await Promise.all(peers.map((p) => new Promise((resolve) => (p.once('exit', resolve), p.send({ type: 'close' })))));
};

// The first peer migrates on open; peers open a journal on an existing schema, so make it.
const migrated = async (schema: string) => {
  const { createPgPool } = await import('../src/core/pg/pg-pool.ts');
  const { migrate } = await import('../src/core/pg/migrations.ts');
  const { pgNames } = await import('../src/core/pg/pg-names.ts');
  const { silentLogger } = await import('../src/core/logger.ts');
  const pool = createPgPool({ connectionString: URL, log: silentLogger, max: 1 });
  await migrate(pool, pgNames(schema));
  await pool.end();
  return schema;
};

interface AppendRow {
  instances: number;
  appenders: number;
  events: number;
  perSecond: number;
  p50ms: number;
  p99ms: number;
}

const benchAppends = async (): Promise<AppendRow[]> => {
  const rows: AppendRow[] = [];
  for (const instances of [1, 3]) {
    for (const appenders of [1, 64]) {
      progress(`appends: ${instances} instance(s) × ${appenders} appender(s) for ${APPEND_MS} ms`);
      const schema = await migrated(freshSchema());
      const peers = await startPeers(schema, instances);
      const started = performance.now();
      const results = await Promise.all(
        peers.map((p) => {
          const done = next<{ latencies: number[] }>(p, 'appended');
          p.send({ type: 'append', ms: APPEND_MS, concurrency: appenders });
          return done;
        }),
      );
      const seconds = (performance.now() - started) / 1000;
      const latencies = results.flatMap((r) => r.latencies);
      const { rows: count } = await admin.query<{ n: string }>(`SELECT count(*) AS n FROM "${schema}".events`);
      if (Number(count[0]!.n) !== latencies.length) throw new Error(`${latencies.length} appends acknowledged, ${count[0]!.n} rows`);
      rows.push({ instances, appenders, events: latencies.length, perSecond: latencies.length / seconds, p50ms: quantile(latencies, 0.5), p99ms: quantile(latencies, 0.99) });
      await closePeers(peers);
    }
  }
  return rows;
};

interface LatencyRow {
  load: string;
  samples: number;
  p50ms: number;
  p99ms: number;
  maxMs: number;
}

const benchCrossInstance = async (): Promise<LatencyRow[]> => {
  const rows: LatencyRow[] = [];
  for (const loaded of [false, true]) {
    progress(`cross-instance latency, ${loaded ? 'with a third instance appending flat out' : 'no other writes'}`);
    const schema = await migrated(freshSchema());
    const [writer, reader, noise] = await startPeers(schema, loaded ? 3 : 2);
    await Promise.resolve(reader!.send({ type: 'listen', count: SAMPLES }));
    await next(reader!, 'listening');
    const heard = next<{ latencies: number[] }>(reader!, 'heard');
    if (noise) noise.send({ type: 'append', ms: (SAMPLES * 10) + 2000, concurrency: 64 });
    writer!.send({ type: 'tick', count: SAMPLES, everyMs: 10 });
    const { latencies } = await heard;
    if (noise) await next(noise, 'appended');
    rows.push({ load: loaded ? '64 appenders on a third instance' : 'no other writes', samples: latencies.length, p50ms: quantile(latencies, 0.5), p99ms: quantile(latencies, 0.99), maxMs: Math.max(...latencies) });
    await closePeers([writer!, reader!, ...(noise ? [noise] : [])]);
  }
  return rows;
};

// Three real servers: POST on A, time until the frame arrives on B's and C's SSE streams.
const benchSse = async (): Promise<LatencyRow> => {
  progress('three serve instances: POST on A → SSE on B and C');
  const schema = await migrated(freshSchema());
  const root = path.join(here, '..');
  const servers = await Promise.all(
    ['a', 'b', 'c'].map(
      (name) =>
        new Promise<{ url: string; proc: ChildProcess; dir: string }>((resolve, reject) => {
          const dir = fs.mkdtempSync(path.join(os.tmpdir(), `cc-bench-${name}-`));
          const proc = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'serve'], {
            cwd: root,
            env: { ...process.env, CC_STORE: 'postgres', DATABASE_URL: URL, CC_PG_SCHEMA: schema, CC_PORT: '0', CC_AUTH: 'off', CC_DATA_DIR: dir, CC_LOG_LEVEL: 'warn' },
            stdio: ['ignore', 'ignore', 'pipe'],
          });
          let text = '';
          proc.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
            text += chunk;
            const m = /is running at (http:\/\/\S+)/.exec(text);
            if (m) resolve({ url: m[1]!, proc, dir });
          });
          proc.once('exit', (code) => reject(new Error(`server ${name} exited with ${code}: ${text}`)));
        }),
    ),
  );
  const [a, ...others] = servers as [(typeof servers)[0], ...typeof servers];
  const sent = new Map<string, number>();
  const latencies: number[] = [];
  const controllers: AbortController[] = [];
  let expected = 0;
  let done: () => void = () => {};
  const finished = new Promise<void>((resolve) => (done = resolve));
  for (const server of others) {
    const controller = new AbortController();
    controllers.push(controller);
    const response = await fetch(`${server.url}/api/events/stream`, { signal: controller.signal });
    void (async () => {
      const decoder = new TextDecoder();
      let buffer = '';
      try {
        for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
          const at = performance.now();
          buffer += decoder.decode(chunk, { stream: true });
          for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
            const frame = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const tenant = /"tenant":"([^"]+)"/.exec(frame)?.[1];
            const t = tenant ? sent.get(tenant) : undefined;
            if (t !== undefined && frame.includes('event: schedule.created')) {
              latencies.push(at - t);
              if (latencies.length >= expected) done();
            }
          }
        }
      } catch {
        // aborted at the end
      }
    })();
  }
  const samples = Math.min(SAMPLES, 300);
  expected = samples * others.length;
  for (let i = 0; i < samples; i++) {
    const tenant = `bench-${i}`;
    sent.set(tenant, performance.now());
    const response = await fetch(`${a.url}/api/schedules`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-ops': '1' },
      body: JSON.stringify({ tenant, every: 3600 }),
    });
    if (response.status !== 201) throw new Error(`POST answered ${response.status}: ${await response.text()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await finished;
  for (const c of controllers) c.abort();
  for (const s of servers) {
    s.proc.kill('SIGTERM');
    await new Promise((resolve) => s.proc.once('exit', resolve));
    fs.rmSync(s.dir, { recursive: true, force: true });
  }
  return { load: 'POST on A → SSE on B and C', samples: latencies.length, p50ms: quantile(latencies, 0.5), p99ms: quantile(latencies, 0.99), maxMs: Math.max(...latencies) };
};

try {
  const { rows: version } = await admin.query<{ server_version: string }>('SHOW server_version');
  const appends = PARTS.has('appends') ? await benchAppends() : [];
  const cross = PARTS.has('cross') ? await benchCrossInstance() : [];
  const sse = PARTS.has('sse') ? await benchSse() : undefined;
  const lines = [
    `PostgreSQL ${version[0]!.server_version} on ${os.cpus().length} CPU(s), load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`,
    '',
    'Durable appends (each acknowledged after commit and after the local subscribers saw it):',
    '',
    '| instances | appenders each | events | appends/s | p50 ms | p99 ms |',
    '| --- | --- | --- | --- | --- | --- |',
    ...appends.map((r) => `| ${r.instances} | ${r.appenders} | ${fixed(r.events)} | ${fixed(r.perSecond)} | ${fixed(r.p50ms, 1)} | ${fixed(r.p99ms, 1)} |`),
    '',
    'Cross-instance delivery (append on one instance → subscriber on another):',
    '',
    '| path | load | samples | p50 ms | p99 ms | max ms |',
    '| --- | --- | --- | --- | --- | --- |',
    ...cross.map((r) => `| journal → subscriber | ${r.load} | ${r.samples} | ${fixed(r.p50ms, 1)} | ${fixed(r.p99ms, 1)} | ${fixed(r.maxMs, 1)} |`),
    ...(sse ? [`| HTTP POST → SSE frame | ${sse.load} | ${sse.samples} | ${fixed(sse.p50ms, 1)} | ${fixed(sse.p99ms, 1)} | ${fixed(sse.maxMs, 1)} |`] : []),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
} finally {
  for (const schema of schemas) await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await admin.end();
}
