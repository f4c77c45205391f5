import { beforeEach, describe, expect, it } from 'vitest';
import { type Harness, makeApp } from './harness.ts';

let h: Harness;
beforeEach(() => {
  h = makeApp();
});

const json = async (res: Response) => (await res.json()) as Record<string, unknown> & { [k: string]: any };

describe('schedules', () => {
  it('lists no schedules on an empty journal, with asOf seq 0', async () => {
    const res = await h.request('GET', '/api/schedules', { as: 'viewer' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ asOf: { seq: 0, ts: null }, schedules: [] });
  });

  it('creates a schedule from a trimmed, lowercased tenant and answers it unwrapped with 201', async () => {
    const res = await h.request('POST', '/api/schedules', { body: { tenant: '  Acme-Roofing ', every: 60 } });
    expect(res.status).toBe(201);
    const body = await json(res);
    expect(body).toMatchObject({ tenant: 'acme-roofing', spec: { every: 60 }, runner: 'demo', status: 'OK', version: 1 });
    const [event] = await h.store.journal.read({ after: 0, limit: 10 });
    expect(event).toMatchObject({ type: 'schedule.created', source: 'api', actor: 'operator' });
  });

  it('answers 409 for a tenant that exists', async () => {
    await h.request('POST', '/api/schedules', { body: { tenant: 'acme', every: 60 } });
    const res = await h.request('POST', '/api/schedules', { body: { tenant: 'acme', every: 30 } });
    expect(res.status).toBe(409);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
  });

  it('names each invalid field', async () => {
    const res = await h.request('POST', '/api/schedules', { body: { tenant: 'no spaces here', every: 5 } });
    expect(res.status).toBe(400);
    const body = await json(res);
    expect(body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['every', 'tenant']);
  });

  it('gets one schedule, and 404 for an unknown or impossible tenant (a literal % included)', async () => {
    await h.request('POST', '/api/schedules', { body: { tenant: 'acme', every: 60 } });
    expect((await h.request('GET', '/api/schedules/acme', { as: 'viewer' })).status).toBe(200);
    expect((await h.request('GET', '/api/schedules/other', { as: 'viewer' })).status).toBe(404);
    expect((await h.request('GET', '/api/schedules/%25', { as: 'viewer' })).status).toBe(404);
    expect((await h.request('GET', '/api/schedules/%E0%A4%A', { as: 'viewer' })).status).toBe(404);
  });

  it('changes settings with PATCH, and a PATCH that changes nothing appends nothing', async () => {
    await h.request('POST', '/api/schedules', { body: { tenant: 'acme', every: 60 } });
    const res = await h.request('PATCH', '/api/schedules/acme', { body: { cron: '0 * * * *', timezone: 'America/Denver', timeoutSeconds: 30 } });
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ spec: { cron: '0 * * * *', timezone: 'America/Denver' }, policy: { timeoutSeconds: 30 }, version: 2 });
    const again = await h.request('PATCH', '/api/schedules/acme', { body: { timeoutSeconds: 30 } });
    expect(again.status).toBe(200);
    expect(h.store.journal.lastSeq).toBe(2);
  });

  it('pauses (twice is a no-op answering 200), resumes and deletes', async () => {
    await h.request('POST', '/api/schedules', { body: { tenant: 'acme', every: 60 } });
    expect(await json(await h.request('POST', '/api/schedules/acme/pause', { body: { reason: 'CRM maintenance' } }))).toMatchObject({ status: 'PAUSED', pause: { reason: 'CRM maintenance', by: 'operator' } });
    expect((await h.request('POST', '/api/schedules/acme/pause', { body: { reason: 'other' } })).status).toBe(200);
    expect(h.store.journal.lastSeq).toBe(2);
    expect(await json(await h.request('POST', '/api/schedules/acme/resume'))).toMatchObject({ status: 'OK' });
    const del = await h.request('DELETE', '/api/schedules/acme');
    expect(del.status).toBe(204);
    expect(await del.text()).toBe('');
    expect((await h.request('GET', '/api/schedules/acme', { as: 'viewer' })).status).toBe(404);
  });
});

describe('history and revert', () => {
  beforeEach(async () => {
    await h.request('POST', '/api/schedules', { body: { tenant: 'acme', every: 60 } });
    await h.request('POST', '/api/schedules/acme/pause');
    await h.request('PATCH', '/api/schedules/acme', { body: { every: 120, timeoutSeconds: 30 } });
  });

  it('lists every version of the settings oldest first, with who, when and the diff', async () => {
    const res = await h.request('GET', '/api/schedules/acme/history', { as: 'viewer' });
    expect(res.status).toBe(200);
    const { versions } = await json(res);
    expect(versions).toEqual([
      {
        seq: 1,
        ts: '2026-11-25T08:00:00.000Z',
        actor: 'operator',
        source: 'api',
        settings: { every: 60, runner: 'demo' },
        diff: [
          { field: 'every', from: null, to: 60 },
          { field: 'runner', from: null, to: 'demo' },
        ],
      },
      {
        seq: 3,
        ts: '2026-11-25T08:00:00.000Z',
        actor: 'operator',
        source: 'api',
        settings: { every: 120, runner: 'demo', timeoutSeconds: 30 },
        diff: [
          { field: 'every', from: 60, to: 120 },
          { field: 'timeoutSeconds', from: null, to: 30 },
        ],
      },
    ]);
  });

  it('starts the history at the latest creation of the tenant', async () => {
    await h.request('DELETE', '/api/schedules/acme');
    await h.request('POST', '/api/schedules', { body: { tenant: 'acme', every: 600 } });
    const { versions } = await json(await h.request('GET', '/api/schedules/acme/history', { as: 'viewer' }));
    expect(versions.map((v: { seq: number }) => v.seq)).toEqual([5]);
  });

  it('reverts to a version, restoring its whole policy, and records revertedTo', async () => {
    const res = await h.request('POST', '/api/schedules/acme/revert', { body: { toSeq: 1 } });
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body.spec).toEqual({ every: 60 });
    expect(body.policy).toEqual({});
    const [last] = await h.store.journal.read({ after: 3, limit: 1 });
    expect(last).toMatchObject({ type: 'schedule.updated', data: { revertedTo: 1 } });
    const { versions } = await json(await h.request('GET', '/api/schedules/acme/history', { as: 'viewer' }));
    expect(versions[2]).toMatchObject({ seq: 4, revertedTo: 1, settings: { every: 60, runner: 'demo' } });
  });

  it('treats a revert to the current settings as a no-op', async () => {
    const res = await h.request('POST', '/api/schedules/acme/revert', { body: { toSeq: 3 } });
    expect(res.status).toBe(200);
    expect(h.store.journal.lastSeq).toBe(3);
  });

  it('answers 404 for a seq that is not one of its versions, and 400 for one that is not a seq', async () => {
    expect((await h.request('POST', '/api/schedules/acme/revert', { body: { toSeq: 2 } })).status).toBe(404);
    const bad = await h.request('POST', '/api/schedules/acme/revert', { body: { toSeq: 'one' } });
    expect(bad.status).toBe(400);
    expect((await json(bad)).errors[0].field).toBe('toSeq');
  });

  it('answers 404 for the history of an unknown tenant', async () => {
    expect((await h.request('GET', '/api/schedules/nobody/history', { as: 'viewer' })).status).toBe(404);
  });
});
