import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type Alert, AlertWebhook } from '../../../src/core/alerts/alert-webhook.ts';
import { watchAlerts } from '../../../src/core/alerts/alerts.ts';
import { ManualClock } from '../../../src/core/clock.ts';
import type { RunOutcome } from '../../../src/core/domain/commands.ts';
import { silentLogger } from '../../../src/core/logger.ts';
import { createServerMetrics } from '../../../src/core/metrics/server-metrics.ts';
import { CommandService, type Origin } from '../../../src/core/service.ts';
import { openMemoryStore } from '../../../src/core/store/memory-store.ts';
import { openFileStore } from '../../../src/core/store/file-store.ts';
import type { Timers } from '../../../src/core/timers.ts';
import { loadConfig } from '../../../src/core/config.ts';
import { startServer } from '../../../src/serve.ts';

const T0 = Date.parse('2026-11-25T08:00:00.000Z');
const SECRET = 'alert-secret-for-tests';
const SCHEDULER: Origin = { source: 'scheduler', actor: 'scheduler' };
const OPERATOR: Origin = { source: 'ui', actor: 'operator' };

interface Received {
  body: string;
  signature: string | undefined;
}

// A receiver on 127.0.0.1 that answers with the statuses it is given, in turn (then 200).
const receiver = async (statuses: number[] = []) => {
  const received: Received[] = [];
  let hold: Promise<void> | undefined;
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (c: string) => (body += c));
    req.on('end', async () => {
      await hold;
      received.push({ body, signature: req.headers['x-command-center-signature'] as string | undefined });
      res.statusCode = statuses.shift() ?? 200;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/alerts`,
    received,
    alerts: () => received.map((r) => JSON.parse(r.body) as Alert),
    holdUntil: (p: Promise<void>) => (hold = p),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
};

// Timers that fire at once, remembering what delay was asked for (the backoff).
const instantTimers = () => {
  const delays: number[] = [];
  const timers: Timers = {
    setTimeout: (callback, ms) => {
      delays.push(ms);
      return setTimeout(callback, 0);
    },
    clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
  };
  return { timers, delays };
};

const closers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

const fleet = async (url: string) => {
  const store = openMemoryStore();
  const clock = new ManualClock(T0);
  const service = new CommandService({ store, clock });
  const webhook = new AlertWebhook({ url, secret: SECRET, timers: instantTimers().timers, log: silentLogger });
  let n = 0;
  // the sweep (staleness) is driven by hand through `sweep`
  const sweeps: (() => void)[] = [];
  const sweepTimers: Timers = { setTimeout: (cb) => sweeps.push(cb), clearTimeout: () => {} };
  const watcher = watchAlerts({ store, clock, timers: sweepTimers, webhook, newId: () => `alert-${++n}` });
  closers.push(() => watcher.stop(), () => webhook.stop(), () => store.close());
  await service.execute({ type: 'CreateSchedule', tenant: 'acme', spec: { every: 180 }, runner: 'demo' }, OPERATOR);
  let run = 0;
  const finish = async (outcome: RunOutcome) => {
    const runId = `r${++run}`;
    await service.execute({ type: 'StartRun', tenant: 'acme', runId, trigger: 'scheduled', scheduledFor: new Date(clock.now()).toISOString(), attempt: 1 }, SCHEDULER);
    await service.execute({ type: 'FinishRun', tenant: 'acme', runId, durationMs: 1000, outcome }, SCHEDULER);
  };
  const fail = (errorClass: 'remote' | 'auth' = 'remote') => finish({ status: 'failed', error: 'AccuLynx said no', errorClass, attempt: 1, willRetry: false });
  const succeed = () => finish({ status: 'succeeded', result: { imported: 3 } });
  return { store, service, clock, webhook, fail, succeed, sweep: () => sweeps.shift()?.() };
};

describe('alert webhook', () => {
  it('posts each transition once, signed with the shared secret: error, recovered, stale, paused by the scheduler', async () => {
    const r = await receiver();
    closers.push(r.close);
    const f = await fleet(r.url);
    await f.fail();
    await f.fail();
    await f.succeed();
    await f.succeed();
    // no success for longer than three intervals: stale, found by the sweep
    f.clock.advance(10 * 60 * 1000);
    f.sweep();
    f.sweep();
    await f.succeed();
    await f.service.execute({ type: 'PauseSchedule', tenant: 'acme', reason: 'credentials refused 3 times' }, SCHEDULER);
    await f.webhook.idle();

    expect(r.alerts().map((a) => `${a.type} ${(a.states as string[]).join('+')}`)).toEqual([
      'tenant.error error',
      'tenant.recovered error',
      'tenant.stale stale',
      'tenant.recovered stale',
      'tenant.paused paused',
    ]);
    for (const { body, signature } of r.received) {
      expect(signature).toBe(`sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`);
    }
    expect(r.alerts()[0]).toMatchObject({ tenant: 'acme', status: 'ERROR', lastRun: { outcome: 'failed', error: 'AccuLynx said no' } });
    expect(f.webhook.counts).toEqual({ sent: 5, failed: 0, dropped: 0, queued: 0 });
  });

  it('/metrics carries the same states, per tenant, for Alertmanager', async () => {
    const r = await receiver();
    closers.push(r.close);
    const f = await fleet(r.url);
    const metrics = createServerMetrics({ store: f.store, clock: f.clock });
    closers.push(() => metrics.close());
    expect(metrics.registry.render()).not.toMatch(/^cc_tenant_alert_state\{/m);
    await f.fail();
    expect(metrics.registry.render()).toMatch(/^cc_tenant_alert_state\{tenant="acme",state="error"\} 1$/m);
    f.clock.advance(10 * 60 * 1000);
    expect(metrics.registry.render()).toMatch(/^cc_tenant_alert_state\{tenant="acme",state="stale"\} 1$/m);
    await f.succeed();
    expect(metrics.registry.render()).not.toMatch(/^cc_tenant_alert_state\{/m);
  });

  it('tries again with growing waits while the receiver fails, and delivers the alert once', async () => {
    const r = await receiver([503, 500, 502]);
    closers.push(r.close);
    const { timers, delays } = instantTimers();
    const webhook = new AlertWebhook({ url: r.url, secret: SECRET, timers, log: silentLogger });
    closers.push(() => webhook.stop());
    webhook.send({ id: 'a1', type: 'tenant.error', tenant: 'acme', at: new Date(T0).toISOString() });
    await webhook.idle();
    expect(r.received).toHaveLength(4);
    expect(new Set(r.received.map((x) => x.body)).size).toBe(1);
    expect(delays).toEqual([1000, 2000, 4000]);
    expect(webhook.counts).toMatchObject({ sent: 1, failed: 0 });
  });

  it('gives up on an alert after its tries, and at once on a refusal another try will not change', async () => {
    const r = await receiver([500, 500, 401]);
    closers.push(r.close);
    const webhook = new AlertWebhook({ url: r.url, timers: instantTimers().timers, log: silentLogger, attempts: 2 });
    closers.push(() => webhook.stop());
    webhook.send({ id: 'a1', type: 'tenant.error', tenant: 'acme', at: new Date(T0).toISOString() });
    webhook.send({ id: 'a2', type: 'tenant.error', tenant: 'beta', at: new Date(T0).toISOString() });
    await webhook.idle();
    expect(r.alerts().map((a) => a.id)).toEqual(['a1', 'a1', 'a2']);
    expect(webhook.counts).toMatchObject({ sent: 0, failed: 2 });
  });

  it('never makes the sender wait: a full queue drops its oldest alert and counts it', async () => {
    const r = await receiver();
    closers.push(r.close);
    let release!: () => void;
    r.holdUntil(new Promise<void>((resolve) => (release = resolve)));
    const webhook = new AlertWebhook({ url: r.url, timers: instantTimers().timers, log: silentLogger, capacity: 2 });
    closers.push(() => webhook.stop());
    for (const id of ['a', 'b', 'c', 'd', 'e']) webhook.send({ id, type: 'tenant.error', tenant: id, at: new Date(T0).toISOString() });
    expect(webhook.counts).toMatchObject({ dropped: 2, queued: 2 });
    release();
    await webhook.idle();
    expect(r.alerts().map((a) => a.id)).toEqual(['a', 'd', 'e']);
    expect(webhook.counts).toEqual({ sent: 3, failed: 0, dropped: 2, queued: 0 });
  });
});

describe('alerts across a restart', () => {
  it('sends tenant.error for a run the previous process left unfinished (recorded failed at start-up)', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-alert-restart-'));
    // the previous process: a schedule, and a run it started and never finished
    const before = await openFileStore({ dataDir, log: silentLogger });
    const now = new Date().toISOString();
    await before.journal.append([
      { id: 'c', ts: now, source: 'ui', actor: 'operator', type: 'schedule.created', tenant: 'acme', data: { spec: { every: 86_400 }, runner: 'demo' } },
      { id: 's', ts: now, source: 'scheduler', actor: 'scheduler', type: 'run.started', tenant: 'acme', data: { runId: 'r1', trigger: 'manual', scheduledFor: now, attempt: 1 } },
    ]);
    await before.close();
    const alerts = await receiver();
    const running = await startServer(loadConfig({ CC_DATA_DIR: dataDir, CC_PORT: '0', CC_AUTH: 'off', CC_ALERT_URL: alerts.url, CC_ALERT_SECRET: SECRET }, {}), silentLogger);
    try {
      await expect.poll(() => alerts.alerts().map((a) => [a.type, a.tenant]), { timeout: 10_000 }).toEqual([['tenant.error', 'acme']]);
      expect(alerts.alerts()[0]!.lastRun).toMatchObject({ outcome: 'failed', error: 'interrupted by restart' });
    } finally {
      await running.stop();
      await alerts.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
