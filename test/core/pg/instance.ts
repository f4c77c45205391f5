import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Envelope } from '../../../src/core/domain/events.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export interface Instance {
  name: string;
  url: string;
  proc: ChildProcess;
  logs: Array<Record<string, unknown>>;
  // resolves with the first log line (JSON) that matches, past or future
  waitForLog(match: (line: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

// A real `command-center serve` on PostgreSQL, on a free loopback port, without access
// control, its data directory in a temp dir.
export const startInstance = async (name: string, env: Record<string, string>): Promise<Instance> => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `cc-${name}-`));
  const proc = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/cli.ts'), 'serve'], {
    cwd: ROOT,
    env: { ...process.env, CC_HOST: '127.0.0.1', CC_PORT: '0', CC_AUTH: 'off', CC_DATA_DIR: dataDir, CC_STORE: 'postgres', CC_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Array<Record<string, unknown>> = [];
  const waiters: Array<{ match: (l: Record<string, unknown>) => boolean; resolve: (l: Record<string, unknown>) => void }> = [];
  let url = '';
  let announced: (url: string) => void = () => {};
  const ready = new Promise<string>((resolve) => (announced = resolve));
  let carry = '';
  proc.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    const lines = (carry + chunk).split('\n');
    carry = lines.pop() ?? '';
    for (const text of lines) {
      const running = /is running at (http:\/\/\S+)/.exec(text);
      if (running) announced(running[1]!);
      if (!text.startsWith('{')) continue;
      let line: Record<string, unknown>;
      try {
        line = JSON.parse(text) as Record<string, unknown>;
      } catch {
        continue;
      }
      logs.push(line);
      for (const w of [...waiters]) {
        if (w.match(line)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(line);
        }
      }
    }
  });
  proc.stdout!.resume();
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  url = await Promise.race([
    ready,
    exited.then((code) => {
      throw new Error(`instance ${name} exited with ${code} before it was ready: ${JSON.stringify(logs.slice(-5))}`);
    }),
  ]);
  return {
    name,
    url,
    proc,
    logs,
    exited,
    waitForLog: (match) =>
      new Promise((resolve) => {
        const seen = logs.find(match);
        if (seen) resolve(seen);
        else waiters.push({ match, resolve });
      }),
    stop: async () => {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGTERM');
        const timer = setTimeout(() => proc.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(timer);
      }
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
};

export const isLeaderLog = (l: Record<string, unknown>) => l.msg === 'this instance is now the leader: it fires scheduled runs';

export interface SseReader {
  events: Envelope[];
  until(match: (e: Envelope, all: Envelope[]) => boolean): Promise<Envelope>;
  close(): void;
}

// Reads a real SSE stream frame by frame (id / event / data), as a browser would.
export const readSse = async (url: string): Promise<SseReader> => {
  const controller = new AbortController();
  const response = await fetch(url, { signal: controller.signal, headers: { accept: 'text/event-stream' } });
  if (response.status !== 200 || !response.body) throw new Error(`SSE answered ${response.status}`);
  const events: Envelope[] = [];
  const waiters: Array<{ match: (e: Envelope, all: Envelope[]) => boolean; resolve: (e: Envelope) => void }> = [];
  const decoder = new TextDecoder();
  let buffer = '';
  void (async () => {
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end = buffer.indexOf('\n\n');
        while (end >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = frame
            .split('\n')
            .filter((l) => l.startsWith('data:'))
            .map((l) => l.slice(5).trimStart())
            .join('\n');
          const id = /^id: ?(\d+)$/m.exec(frame);
          if (data && id) {
            const event = JSON.parse(data) as Envelope;
            events.push(event);
            for (const w of [...waiters]) {
              if (w.match(event, events)) {
                waiters.splice(waiters.indexOf(w), 1);
                w.resolve(event);
              }
            }
          }
          end = buffer.indexOf('\n\n');
        }
      }
    } catch {
      // aborted
    }
  })();
  return {
    events,
    until: (match) =>
      new Promise((resolve) => {
        const seen = events.find((e) => match(e, events));
        if (seen) resolve(seen);
        else waiters.push({ match, resolve });
      }),
    close: () => controller.abort(),
  };
};

export const postJson = (url: string, body: unknown, method = 'POST') =>
  fetch(url, { method, headers: { 'content-type': 'application/json', 'x-ops': '1' }, body: body === undefined ? undefined : JSON.stringify(body) });
