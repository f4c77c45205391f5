import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { serve, type ServerType } from '@hono/node-server';
import { EventSource } from 'eventsource';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/core/clock.ts';
import { loadConfig } from '../../src/core/config.ts';
import type { Unsequenced } from '../../src/core/domain/events.ts';
import type { FileJournal } from '../../src/core/journal/file-journal.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { CommandService } from '../../src/core/service.ts';
import { openFileStore } from '../../src/core/store/file-store.ts';
import type { Store } from '../../src/core/store/store.ts';
import { createApp } from '../../src/http/app.ts';
import { SseHub, type SseOptions } from '../../src/http/sse-hub.ts';
import { startServer } from '../../src/serve.ts';

const OPERATOR = 'operator-token-0123456789';
const draft = (i: number): Unsequenced => ({ id: `e${i}`, ts: new Date(Date.UTC(2026, 10, 25, 8) + i).toISOString(), type: 'schedule.resumed', tenant: 'acme', source: 'api', actor: 'operator', data: {} });
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'cc-sse-'));
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

// createApp on a file store behind the real Node server, with every socket tracked so a
// test can cut connections from the server side.
const serveApp = async (sse: SseOptions = {}) => {
  const store: Store = await openFileStore({ dataDir: tmp(), log: silentLogger });
  const hub = new SseHub(store.journal, sse);
  const service = new CommandService({ store, clock: systemClock });
  let app: ReturnType<typeof createApp> | undefined;
  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch: (r, env) => app!.fetch(r, env), hostname: '127.0.0.1', port: 0 }, () => resolve(s));
  });
  const port = (server.address() as AddressInfo).port;
  app = createApp({ store, service, clock: systemClock, log: silentLogger, allowedHosts: [`127.0.0.1:${port}`], streams: hub });
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  const close = async () => {
    hub.closeAll();
    (server as http.Server).closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await store.close();
  };
  cleanups.push(close);
  return { url: `http://127.0.0.1:${port}`, store, hub, sockets };
};

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
const heapNow = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};

const untilTrue = async (check: () => boolean) => {
  for (let i = 0; i < 100_000 && !check(); i++) await new Promise((resolve) => setImmediate(resolve));
  expect(check()).toBe(true);
};

describe('the event stream on a real server', () => {
  it('delivers 10,000 events exactly once and in order while the connection is cut again and again', async () => {
    const { url, store, sockets } = await serveApp({ retryMs: 5 });
    const seen: number[] = [];
    let opens = 0;
    let done!: () => void;
    const finished = new Promise<void>((resolve) => (done = resolve));
    const es = new EventSource(`${url}/api/events/stream?after=0`);
    cleanups.push(() => es.close());
    es.addEventListener('open', () => (opens += 1));
    es.addEventListener('schedule.resumed', (e) => {
      seen.push(Number(e.lastEventId));
      if (Number(e.lastEventId) === 10_000) done();
    });
    for (let batch = 0; batch < 500; batch++) {
      await store.journal.append(Array.from({ length: 20 }, (_, k) => draft(batch * 20 + k + 1)));
      // cut every open connection, mid-stream, 25 times over the run
      if (batch % 20 === 10) for (const socket of sockets) socket.destroy();
      if (batch % 50 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    await finished;
    expect(opens).toBeGreaterThan(5);
    expect(seen.length).toBe(10_000);
    expect(seen).toEqual(Array.from({ length: 10_000 }, (_, i) => i + 1));
  });

  it('leaves no journal listener, no stream and no heap growth behind after 1,000 connect/disconnect cycles', async () => {
    const { url, store, hub } = await serveApp();
    const journal = store.journal as FileJournal;
    const listenersBefore = journal.subscribers;
    const agent = new http.Agent({ keepAlive: false });
    let heapAfterWarmup = 0;
    for (let i = 0; i < 1000; i++) {
      if (i === 200) {
        await untilTrue(() => hub.size === 0);
        heapAfterWarmup = heapNow();
      }
      await new Promise<void>((resolve, reject) => {
        const req = http.get(`${url}/api/events/stream`, { agent }, (res) => {
          res.once('data', () => {
            req.destroy();
            resolve();
          });
        });
        req.on('error', (error) => ((error as NodeJS.ErrnoException).code === 'ECONNRESET' ? resolve() : reject(error)));
      });
      if (i === 500) expect(hub.size).toBeLessThan(500);
    }
    await untilTrue(() => hub.size === 0);
    expect(journal.subscribers).toBe(listenersBefore);
    // 800 more streams opened and closed leave the heap where 200 left it
    expect(heapNow() - heapAfterWarmup).toBeLessThan(8 * 2 ** 20);
    // the stream hub's own subscription is gone too: appending reaches no one
    await store.journal.append([draft(1)]);
    expect(hub.size).toBe(0);
  });

  it('ends streams cleanly on shutdown, and a client resumes on the next start without a gap or duplicate', async () => {
    const dataDir = tmp();
    const config = loadConfig({}, { host: '127.0.0.1', port: '0', dataDir, operatorToken: OPERATOR, viewerToken: 'viewer-token-0123456789ab', logLevel: 'error' });
    const first = await startServer(config, silentLogger);
    const port = new URL(first.url).port;
    const login = await fetch(`${first.url}/login?token=${OPERATOR}`, { redirect: 'manual' });
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;

    const seen: number[] = [];
    let ended = 0;
    const waiters: Array<[number, () => void]> = [];
    const es = new EventSource(`${first.url}/api/events/stream?after=0`, {
      fetch: (input, init) => fetch(input, { ...init, headers: { ...init.headers, cookie } }),
    });
    cleanups.push(() => es.close());
    es.addEventListener('error', () => (ended += 1));
    es.addEventListener('schedule.resumed', (e) => {
      seen.push(Number(e.lastEventId));
      for (const [seq, resolve] of waiters) if (Number(e.lastEventId) >= seq) resolve();
    });
    const until = (seq: number) => new Promise<void>((resolve) => waiters.push([seq, resolve]));

    await first.store.journal.append([1, 2, 3].map(draft));
    await until(3);
    // a raw client sees the stream finish (a clean end, not a reset connection)
    const raw = await new Promise<http.IncomingMessage>((resolve) => http.get(`${first.url}/api/events/stream`, { headers: { cookie } }, resolve));
    const rawEnded = new Promise<string>((resolve) => {
      raw.on('end', () => resolve('end'));
      raw.on('error', () => resolve('error'));
      raw.resume();
    });
    await first.stop();
    expect(await rawEnded).toBe('end');
    expect(ended).toBeGreaterThanOrEqual(1);

    const second = await startServer({ ...config, port: Number(port) }, silentLogger);
    cleanups.push(() => second.stop());
    // the session signed before the restart still works
    expect((await fetch(`${second.url}/api/summary`, { headers: { cookie } })).status).toBe(200);
    await second.store.journal.append([4, 5].map(draft));
    await until(5);
    expect(seen).toEqual([1, 2, 3, 4, 5]);
  });
});
