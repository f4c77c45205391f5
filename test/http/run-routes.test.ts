import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/logger.ts';
import { createScheduler } from '../../src/core/scheduler/scheduler.ts';
import { CommandService } from '../../src/core/service.ts';
import { openMemoryStore } from '../../src/core/store/memory-store.ts';
import { createApp } from '../../src/http/app.ts';
import { FakeTime } from '../core/scheduler/fake-time.ts';
import { scriptedRunner } from '../core/scheduler/harness.ts';

const START = '2026-11-25T08:00:00.000Z';

// Access off (loopback), so requests act as the open operator; a scheduler on a fake clock.
const setup = async ({ withScheduler = true } = {}) => {
  const time = new FakeTime(START);
  const store = openMemoryStore();
  const service = new CommandService({ store, clock: time });
  const { runner } = scriptedRunner(time, () => ({ ms: 30_000 }));
  const scheduler = createScheduler({ store, service, clock: time, timers: time, runners: { demo: runner } });
  const app = createApp({ store, service, clock: time, log: silentLogger, scheduler: withScheduler ? scheduler : undefined });
  await service.execute({ type: 'CreateSchedule', tenant: 'acme-roofing', spec: { every: 3600 }, runner: 'demo' }, { source: 'api', actor: 'test' });
  if (withScheduler) await scheduler.start();
  const request = (method: string, url: string) => app.request(`http://localhost${url}`, { method, headers: method === 'GET' ? {} : { 'x-ops': '1' } });
  return { time, store, scheduler, request };
};

describe('POST /api/schedules/:tenant/run', () => {
  it('answers 202 with the run id, and the run is recorded as a manual run by the caller', async () => {
    const h = await setup();
    const res = await h.request('POST', '/api/schedules/acme-roofing/run');
    expect(res.status).toBe(202);
    const { runId } = (await res.json()) as { runId: string };
    const started = (await h.store.journal.read({ after: 0, limit: 10, type: 'run.started' })).flatMap((e) => (e.type === 'run.started' ? [e] : []));
    expect(started.map((e) => [e.data.runId, e.data.trigger, e.source, e.actor])).toEqual([[runId, 'manual', 'api', 'anonymous']]);
  });

  it('answers 409 problem+json while a run of that tenant is in progress, and 202 again after it', async () => {
    const h = await setup();
    expect((await h.request('POST', '/api/schedules/acme-roofing/run')).status).toBe(202);
    const busy = await h.request('POST', '/api/schedules/acme-roofing/run');
    expect(busy.status).toBe(409);
    expect(busy.headers.get('content-type')).toContain('application/problem+json');
    expect(((await busy.json()) as { detail: string }).detail).toMatch(/run in progress/);
    await h.time.advance(30_000);
    expect((await h.request('POST', '/api/schedules/acme-roofing/run')).status).toBe(202);
  });

  it('answers 404 for a tenant without a schedule', async () => {
    const h = await setup();
    expect((await h.request('POST', '/api/schedules/nobody/run')).status).toBe(404);
  });

  it('answers 503 when this server runs no scheduler', async () => {
    const h = await setup({ withScheduler: false });
    expect((await h.request('POST', '/api/schedules/acme-roofing/run')).status).toBe(503);
  });
});

describe('scheduler state in health and summary', () => {
  it('shows running, the next due time, lag and runs in flight', async () => {
    const h = await setup();
    await h.request('POST', '/api/schedules/acme-roofing/run');
    const health = (await (await h.request('GET', '/api/health')).json()) as { scheduler: Record<string, unknown> };
    expect(health.scheduler).toMatchObject({ state: 'running', inFlight: 1, lagMs: 0, nextDueAt: expect.any(String) });
    const summary = (await (await h.request('GET', '/api/summary')).json()) as { scheduler: Record<string, unknown>; running: number };
    expect(summary).toMatchObject({ running: 1, scheduler: { state: 'running', inFlight: 1 } });
  });

  it('says stopped once the scheduler stops', async () => {
    const h = await setup();
    await h.scheduler.stop(0);
    const health = (await (await h.request('GET', '/api/health')).json()) as { status: string; scheduler: Record<string, unknown> };
    expect(health).toMatchObject({ status: 'ok', scheduler: { state: 'stopped' } });
  });
});

describe('CC_RUNNER', () => {
  it('is the runner of a schedule created without one', async () => {
    const time = new FakeTime(START);
    const store = openMemoryStore();
    const service = new CommandService({ store, clock: time });
    const app = createApp({ store, service, clock: time, log: silentLogger, defaultRunner: 'http' });
    const create = (body: unknown) =>
      app.request('http://localhost/api/schedules', { method: 'POST', headers: { 'x-ops': '1', 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(await (await create({ tenant: 'acme-roofing', every: 60 })).json()).toMatchObject({ runner: 'http' });
    expect(await (await create({ tenant: 'demo-co', every: 60, runner: 'demo' })).json()).toMatchObject({ runner: 'demo' });
  });
});
