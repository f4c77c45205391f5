// One side of `npm run bench:sse`: a server process, either Command Center's real stream
// route ("app": file store, createApp, SseHub) or a minimal raw node:http broadcaster
// ("floor"). It listens on port 0, tells the parent its port, appends/broadcasts events
// at the asked rate when told to, and reports its RSS and CPU.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { serve } from '@hono/node-server';
import { systemClock } from '../src/core/clock.ts';
import type { Unsequenced } from '../src/core/domain/events.ts';
import { silentLogger } from '../src/core/logger.ts';
import { CommandService } from '../src/core/service.ts';
import { openFileStore } from '../src/core/store/file-store.ts';
import { createApp } from '../src/http/app.ts';
import { SseHub } from '../src/http/sse-hub.ts';

const kind = process.argv[2] as 'app' | 'floor';
const send = (message: object) => process.send!(message);

const draft = (i: number): Unsequenced => ({
  id: `bench-${i}`,
  ts: new Date().toISOString(),
  type: 'run.skipped',
  tenant: 'bench-tenant',
  source: 'scheduler',
  actor: 'scheduler',
  data: { scheduledFor: new Date().toISOString(), reason: 'overlap', count: 1 },
});

let emit: (i: number) => Promise<void>;
// when each event was handed to the fan-out (the app: when the journal made it durable and
// published it), on a clock the load process shares
const publishedAt: number[] = [];
const wallNow = () => performance.timeOrigin + performance.now();
let clientCount: () => number;
let server: http.Server;

if (kind === 'floor') {
  const clients = new Set<http.ServerResponse>();
  server = http.createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    res.write('retry: 2000\n\n');
    clients.add(res);
    res.on('close', () => clients.delete(res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  emit = async (i) => {
    const e = { ...draft(i), seq: i };
    const frame = Buffer.from(`id: ${i}\nevent: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`);
    publishedAt[i] = wallNow();
    for (const res of clients) res.write(frame);
  };
  clientCount = () => clients.size;
} else {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-bench-sse-'));
  const store = await openFileStore({ dataDir, log: silentLogger });
  // subscribed before the hub, so it hears of each event just before the clients do
  store.journal.subscribe(0, (events) => {
    const at = wallNow();
    for (const e of events) publishedAt[e.seq] = at;
  });
  const hub = new SseHub(store.journal);
  const service = new CommandService({ store, clock: systemClock });
  let app: ReturnType<typeof createApp> | undefined;
  server = await new Promise<http.Server>((resolve) => {
    const s = serve({ fetch: (r, env) => app!.fetch(r, env), hostname: '127.0.0.1', port: 0 }, () => resolve(s as http.Server));
  });
  app = createApp({ store, service, clock: systemClock, log: silentLogger, allowedHosts: [`127.0.0.1:${(server.address() as AddressInfo).port}`], streams: hub });
  emit = async (i) => {
    await store.journal.append([draft(i)]);
  };
  clientCount = () => hub.size;
}

let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 250);

let cpuSeconds = 0;
let runSeconds = 0;
process.on('message', async (message: { type: string; rate?: number; seconds?: number; from?: number }) => {
  if (message.type === 'clients') send({ type: 'clients', count: clientCount() });
  if (message.type === 'run') {
    const from = message.from ?? 1;
    const total = message.rate! * message.seconds!;
    const cpu = process.cpuUsage();
    const started = performance.now();
    const pending: Array<Promise<void>> = [];
    // paced by the clock, not by setInterval, so emission never drifts below the rate
    for (let k = 0; k < total; k++) {
      const due = started + (k * 1000) / message.rate!;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      pending.push(emit(from + k));
    }
    await Promise.all(pending);
    runSeconds += (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    cpuSeconds += (used.user + used.system) / 1e6;
    send({ type: 'done', next: from + total });
  }
  if (message.type === 'stats') send({ type: 'stats', publishedAt, seconds: runSeconds, cpuPercent: (cpuSeconds / runSeconds) * 100, peakRssMb: peakRss / 2 ** 20 });
  if (message.type === 'exit') {
    clearInterval(sampler);
    process.exit(0);
  }
});
send({ type: 'listening', port: (server.address() as AddressInfo).port });
