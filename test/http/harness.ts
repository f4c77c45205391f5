import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadSessionKey, SessionSigner } from '../../src/core/access/session-signer.ts';
import { TokenStore } from '../../src/core/access/token-store.ts';
import { ManualClock } from '../../src/core/clock.ts';
import { createLogger } from '../../src/core/logger.ts';
import { createScheduler } from '../../src/core/scheduler/scheduler.ts';
import { CommandService } from '../../src/core/service.ts';
import { openMemoryStore } from '../../src/core/store/memory-store.ts';
import { createAccess } from '../../src/http/access.ts';
import { createApp } from '../../src/http/app.ts';
import { SseHub, type SseOptions } from '../../src/http/sse-hub.ts';

export const OPERATOR_TOKEN = 'operator-token-0123456789';
export const VIEWER_TOKEN = 'viewer-token-0123456789ab';
export const T0 = Date.parse('2026-11-25T08:00:00.000Z');

export type As = 'operator' | 'viewer' | null | { bearer: string } | { cookie: string };

export interface RequestOptions {
  as?: As;
  body?: unknown;
  headers?: Record<string, string>;
  ops?: boolean;
}

// One app over a memory store, with access on, a fixed clock and captured log lines.
export const makeApp = (options: { auth?: boolean; corsOrigins?: string[]; sse?: SseOptions } = {}) => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-http-'));
  const clock = new ManualClock(T0);
  const store = openMemoryStore();
  let id = 0;
  const service = new CommandService({ store, clock, newId: () => `id-${++id}` });
  const tokens = new TokenStore(dataDir, { operator: OPERATOR_TOKEN, viewer: VIEWER_TOKEN }, () => clock.now());
  const access = options.auth === false ? undefined : createAccess({ tokens, signer: new SessionSigner(loadSessionKey(dataDir)), clock });
  const logs: Array<Record<string, unknown>> = [];
  const log = createLogger('debug', (line) => logs.push(JSON.parse(line) as Record<string, unknown>));
  const streams = new SseHub(store.journal, options.sse);
  // Run now works (an instant runner); timers never fire, so nothing runs on its own here.
  const scheduler = createScheduler({
    store,
    service,
    clock,
    timers: { setTimeout: () => undefined, clearTimeout: () => {} },
    runners: { demo: { name: 'demo', run: async () => ({ imported: 0 }) } },
  });
  void scheduler.start();
  const app = createApp({ store, service, clock, log, allowedHosts: ['localhost', 'localhost:8787'], access, corsOrigins: options.corsOrigins, streams, scheduler });

  const request = (method: string, url: string, o: RequestOptions = {}) => {
    const headers: Record<string, string> = { host: 'localhost' };
    const as = o.as === undefined ? 'operator' : o.as;
    if (as === 'operator') headers.authorization = `Bearer ${OPERATOR_TOKEN}`;
    else if (as === 'viewer') headers.authorization = `Bearer ${VIEWER_TOKEN}`;
    else if (as && 'bearer' in as) headers.authorization = `Bearer ${as.bearer}`;
    else if (as && 'cookie' in as) headers.cookie = as.cookie;
    if (o.ops ?? method !== 'GET') headers['x-ops'] = '1';
    let body: string | undefined;
    if (o.body !== undefined) {
      body = typeof o.body === 'string' ? o.body : JSON.stringify(o.body);
      headers['content-type'] = 'application/json';
    }
    return app.request(`http://localhost${url}`, { method, headers: { ...headers, ...o.headers }, body });
  };

  return { app, store, service, clock, tokens, dataDir, logs, streams, request };
};

export type Harness = ReturnType<typeof makeApp>;

// Reads an SSE body chunk by chunk; `next(n)` resolves with the next n frames.
export const frameReader = (body: ReadableStream<Uint8Array>) => {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  const frames: string[] = [];
  return {
    async next(count = 1): Promise<string[]> {
      while (frames.length < count) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended after ${frames.length} frames`);
        text += decoder.decode(value, { stream: true });
        let cut: number;
        while ((cut = text.indexOf('\n\n')) >= 0) {
          frames.push(text.slice(0, cut + 2));
          text = text.slice(cut + 2);
        }
      }
      return frames.splice(0, count);
    },
    async ended(): Promise<boolean> {
      const { done } = await reader.read();
      return done;
    },
    cancel: () => reader.cancel(),
  };
};
