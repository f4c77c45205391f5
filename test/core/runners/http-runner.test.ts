import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/core/clock.ts';
import { createHttpRunner, retryAfterMs } from '../../../src/core/runners/http-runner.ts';
import type { RunRequest } from '../../../src/core/runners/runner.ts';
import { runAttempt } from '../../../src/core/scheduler/attempt.ts';
import { createScheduler } from '../../../src/core/scheduler/scheduler.ts';
import { CommandService } from '../../../src/core/service.ts';
import { openMemoryStore } from '../../../src/core/store/memory-store.ts';
import { systemTimers } from '../../../src/core/timers.ts';

const SECRET = 'test-secret-0123456789';

interface Received {
  path: string;
  body: string;
  signature: string | undefined;
  verified: boolean;
}

// An import worker on loopback that checks the signature the way a real one would.
const worker = async (answer: (req: Received, res: http.ServerResponse) => void) => {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const signature = req.headers['x-command-center-signature'] as string | undefined;
      const expected = Buffer.from(`sha256=${createHmac('sha256', SECRET).update(raw).digest('hex')}`);
      const verified = signature !== undefined && signature.length === expected.length && timingSafeEqual(Buffer.from(signature), expected);
      const r = { path: req.url ?? '', body: raw.toString('utf8'), signature, verified };
      received.push(r);
      answer(r, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/import/{tenant}`, received, server };
};

const servers: http.Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((resolve) => s.close(resolve));
  }
});

const request = (signal = new AbortController().signal): RunRequest => ({
  tenant: 'acme-roofing',
  runId: 'run-1',
  scheduledFor: '2026-11-25T08:00:00.000Z',
  trigger: 'scheduled',
  attempt: 1,
  watermark: { cursor: 41 },
  signal,
});

const json = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};

const runAgainst = async (answer: (req: Received, res: http.ServerResponse) => void, secret: string | undefined = SECRET) => {
  const w = await worker(answer);
  servers.push(w.server);
  const runner = createHttpRunner({ url: w.url, secret, clock: systemClock });
  return { ...w, runner };
};

describe('http runner', () => {
  it('POSTs the run, signed with HMAC-SHA256 over the exact body, to the tenant’s URL', async () => {
    const w = await runAgainst((_r, res) => json(res, 200, { imported: 120, watermark: { cursor: 161 } }));
    const result = await w.runner.run(request());
    expect(result).toEqual({ imported: 120, watermark: { cursor: 161 } });
    expect(w.received).toHaveLength(1);
    const got = w.received[0]!;
    expect(got.path).toBe('/import/acme-roofing');
    expect(got.verified).toBe(true);
    expect(JSON.parse(got.body)).toEqual({
      tenant: 'acme-roofing',
      runId: 'run-1',
      scheduledFor: '2026-11-25T08:00:00.000Z',
      trigger: 'scheduled',
      attempt: 1,
      watermark: { cursor: 41 },
    });
  });

  it('sends no signature when no secret is configured', async () => {
    const w = await runAgainst((_r, res) => json(res, 200, {}), '');
    await w.runner.run(request());
    expect(w.received[0]!.signature).toBeUndefined();
  });

  const classes: [string, (r: Received, res: http.ServerResponse) => void, string, number | undefined][] = [
    ['401', (_r, res) => json(res, 401, { error: 'bad key' }), 'auth', undefined],
    ['403', (_r, res) => json(res, 403, {}), 'auth', undefined],
    ['429 with Retry-After seconds', (_r, res) => json(res, 429, {}, { 'retry-after': '120' }), 'rate-limit', 120_000],
    ['500', (_r, res) => json(res, 500, {}), 'remote', undefined],
    ['503', (_r, res) => json(res, 503, {}), 'remote', undefined],
    ['404', (_r, res) => json(res, 404, {}), 'remote', undefined],
    ['200 that is not JSON', (_r, res) => (res.writeHead(200), res.end('<html>ok</html>')), 'remote', undefined],
    ['200 with the wrong shape', (_r, res) => json(res, 200, { imported: 'many' }), 'remote', undefined],
  ];
  for (const [what, answer, errorClass, retryAfter] of classes) {
    it(`classifies ${what} as ${errorClass}`, async () => {
      const w = await runAgainst(answer);
      const error = await w.runner.run(request()).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toMatchObject({ name: 'RunError', errorClass });
      expect((error as { retryAfterMs?: number }).retryAfterMs).toBe(retryAfter);
    });
  }

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-11-25T08:00:00.000Z');
    expect(retryAfterMs('30', now)).toBe(30_000);
    expect(retryAfterMs('Wed, 25 Nov 2026 08:01:30 GMT', now)).toBe(90_000);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs(null, now)).toBeUndefined();
  });

  it('classifies a refused connection as network', async () => {
    const w = await runAgainst((_r, res) => json(res, 200, {}));
    const { port } = w.server.address() as AddressInfo;
    w.server.closeAllConnections();
    await new Promise((resolve) => w.server.close(resolve));
    servers.splice(servers.indexOf(w.server), 1);
    const runner = createHttpRunner({ url: `http://127.0.0.1:${port}/import`, secret: SECRET, clock: systemClock });
    await expect(runner.run(request())).rejects.toMatchObject({ errorClass: 'network', message: expect.stringContaining('ECONNREFUSED') });
  });

  it('gives up on a worker that does not answer within the run timeout, as timeout', async () => {
    const w = await runAgainst(() => {
      // never answers
    });
    const outcome = await runAttempt({
      runner: w.runner,
      runnerName: 'http',
      request: { ...request(), signal: undefined } as never,
      controller: new AbortController(),
      timeoutMs: 200,
      clock: systemClock,
      timers: systemTimers,
    });
    expect(outcome).toMatchObject({ ok: false, errorClass: 'timeout' });
    expect(w.received).toHaveLength(1);
  });

  it('classifies an aborted request as timeout', async () => {
    let arrived!: () => void;
    const requested = new Promise<void>((resolve) => (arrived = resolve));
    const w = await runAgainst(() => arrived());
    const controller = new AbortController();
    const pending = w.runner.run(request(controller.signal));
    await requested;
    controller.abort();
    await expect(pending).rejects.toMatchObject({ errorClass: 'timeout' });
  });
});

describe('http runner in the scheduler', () => {
  it('passes the watermark of one run to the next', async () => {
    let n = 0;
    const w = await runAgainst((r, res) => {
      n += 1;
      json(res, 200, { imported: 10 * n, watermark: { cursor: n * 100, seen: JSON.parse(r.body).watermark } });
    });
    const store = openMemoryStore();
    const service = new CommandService({ store, clock: systemClock });
    const scheduler = createScheduler({ store, service, clock: systemClock, timers: systemTimers, runners: { http: w.runner } });
    await service.execute({ type: 'CreateSchedule', tenant: 'acme-roofing', spec: { every: 86400 }, runner: 'http' }, { source: 'api', actor: 'test' });
    await scheduler.start();
    const succeeded = (count: number) =>
      new Promise<void>((resolve) => {
        const sub = store.journal.subscribe(0, async () => {
          const done = await store.journal.read({ after: 0, limit: 100, type: 'run.succeeded' });
          if (done.length >= count) {
            sub.close();
            // the scheduler frees the tenant right after the event is recorded
            setImmediate(resolve);
          }
        });
      });
    try {
      await scheduler.runNow('acme-roofing', { source: 'api', actor: 'test' });
      await succeeded(1);
      await scheduler.runNow('acme-roofing', { source: 'api', actor: 'test' });
      await succeeded(2);
      const bodies = w.received.map((r) => JSON.parse(r.body));
      expect(bodies.map((b) => [b.trigger, b.watermark])).toEqual([
        ['manual', null],
        ['manual', { cursor: 100, seen: null }],
      ]);
      expect(w.received.every((r) => r.verified)).toBe(true);
      expect(store.projector.schedules.get('acme-roofing')!.watermark).toEqual({ cursor: 200, seen: { cursor: 100, seen: null } });
    } finally {
      await scheduler.stop(1000);
    }
  });
});
