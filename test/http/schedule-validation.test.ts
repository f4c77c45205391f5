import { beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { CommandService } from '../../src/core/service.ts';
import { openMemoryStore } from '../../src/core/store/memory-store.ts';
import type { Store } from '../../src/core/store/store.ts';
import { createApp } from '../../src/http/app.ts';

// Bad input at the schedule API: each refused with a 4xx problem+json that names the
// field, nothing appended, never a 500. Access control is off (an open loopback server).
const T0 = Date.parse('2026-11-25T08:00:00.000Z');

let store: Store;
let app: ReturnType<typeof createApp>;
beforeEach(() => {
  store = openMemoryStore();
  const clock = new ManualClock(T0);
  app = createApp({ store, service: new CommandService({ store, clock }), clock, log: silentLogger });
});

const send = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
  app.request(`http://localhost${path}`, {
    method,
    headers: { 'x-ops': '1', ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });

interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: { field: string; message: string }[];
}

const problem = async (res: Response, status: number): Promise<Problem> => {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  const body = (await res.json()) as Problem;
  expect(body).toMatchObject({ status, title: expect.any(String), detail: expect.any(String) });
  return body;
};

const fieldsOf = (p: Problem) => (p.errors ?? []).map((e) => e.field).sort();

const create = async (tenant = 'acme-roofing') => {
  const res = await send('POST', '/api/schedules', { tenant, every: 300 });
  expect(res.status).toBe(201);
};

describe('POST /api/schedules refuses bad bodies with 400 naming the field', () => {
  const cases: [string, unknown, string[], RegExp?][] = [
    ['a tenant with spaces and symbols', { tenant: 'Bad Tenant!', every: 60 }, ['tenant'], /lowercase letters, digits and dashes/],
    ['a tenant starting with a dash', { tenant: '-acme', every: 60 }, ['tenant']],
    ['a tenant of 64 characters', { tenant: 'a'.repeat(64), every: 60 }, ['tenant'], /at most 63/],
    ['an empty tenant', { tenant: '   ', every: 60 }, ['tenant'], /required/],
    ['no tenant', { every: 60 }, ['tenant']],
    ['a tenant that is not a string', { tenant: 7, every: 60 }, ['tenant'], /must be a string/],
    ['every below 10 seconds', { tenant: 'acme', every: 9 }, ['every'], /at least 10/],
    ['every of 0', { tenant: 'acme', every: 0 }, ['every']],
    ['every above 7 days', { tenant: 'acme', every: 7 * 24 * 3600 + 1 }, ['every'], /at most/],
    ['every that is not whole', { tenant: 'acme', every: 60.5 }, ['every'], /whole/],
    ['every given as a string', { tenant: 'acme', every: '60' }, ['every'], /number/],
    ['both every and cron', { tenant: 'acme', every: 60, cron: '*/5 * * * *' }, ['cron'], /not both/],
    ['neither every nor cron', { tenant: 'acme' }, ['every'], /required/],
    ['a cron that does not parse', { tenant: 'acme', cron: 'every day at 6' }, ['cron'], /cron/],
    ['a cron with 6 fields', { tenant: 'acme', cron: '0 0 6 * * *' }, ['cron'], /5 fields/],
    ['a cron minute of 61', { tenant: 'acme', cron: '61 * * * *' }, ['cron']],
    ['an unknown time zone', { tenant: 'acme', cron: '0 6 * * *', timezone: 'Mars/Olympus_Mons' }, ['timezone'], /IANA/],
    ['a time zone without cron', { tenant: 'acme', every: 60, timezone: 'UTC' }, ['timezone']],
    ['an unknown runner', { tenant: 'acme', every: 60, runner: 'ftp' }, ['runner']],
    ['paused that is not a boolean', { tenant: 'acme', every: 60, paused: 'yes' }, ['paused']],
    ['a timeout of 0 seconds', { tenant: 'acme', every: 60, timeoutSeconds: 0 }, ['timeoutSeconds']],
  ];

  it.each(cases)('%s', async (_name, body, fields, message) => {
    const p = await problem(await send('POST', '/api/schedules', body), 400);
    expect(fieldsOf(p)).toEqual(fields);
    if (message) expect(p.errors!.map((e) => e.message).join(' ')).toMatch(message);
    expect(store.journal.lastSeq).toBe(0);
  });

  it('an unknown field, named in the error', async () => {
    const p = await problem(await send('POST', '/api/schedules', { tenant: 'acme', every: 60, colour: 'red', size: 3 }), 400);
    expect(p.errors).toEqual([
      { field: 'colour', message: 'unknown field "colour"' },
      { field: 'size', message: 'unknown field "size"' },
    ]);
    expect(store.journal.lastSeq).toBe(0);
  });

  it('several bad fields at once, each named', async () => {
    const p = await problem(await send('POST', '/api/schedules', { tenant: 'no spaces', every: 5, runner: 'ftp' }), 400);
    expect(fieldsOf(p)).toEqual(['every', 'runner', 'tenant']);
  });

  it.each([
    ['a JSON array', [{ tenant: 'acme', every: 60 }]],
    ['a JSON string', '"acme"'],
    ['JSON null', 'null'],
    ['broken JSON', '{"tenant": "acme", "every": '],
  ])('%s as the body', async (_name, body) => {
    const p = await problem(await send('POST', '/api/schedules', body), 400);
    expect(p.errors?.length).toBeGreaterThan(0);
    expect(store.journal.lastSeq).toBe(0);
  });

  it('an empty body', async () => {
    const p = await problem(await send('POST', '/api/schedules', undefined, { 'content-type': 'application/json' }), 400);
    expect(fieldsOf(p)).toEqual(['(body)']);
  });

  it('a body that is not JSON gets 415', async () => {
    await problem(await send('POST', '/api/schedules', 'tenant=acme&every=60', { 'content-type': 'application/x-www-form-urlencoded' }), 415);
    await problem(await send('POST', '/api/schedules', '{"tenant":"acme","every":60}', { 'content-type': 'text/plain' }), 415);
    expect(store.journal.lastSeq).toBe(0);
  });
});

describe('conflicts and unknown tenants', () => {
  it('answers 409 for a tenant that exists, also when typed differently', async () => {
    await create('acme-roofing');
    for (const tenant of ['acme-roofing', '  ACME-Roofing ']) {
      const p = await problem(await send('POST', '/api/schedules', { tenant, every: 60 }), 409);
      expect(p.detail).toContain('acme-roofing');
    }
    expect(store.journal.lastSeq).toBe(1);
  });

  it.each([
    ['GET', '/api/schedules/nobody'],
    ['PATCH', '/api/schedules/nobody'],
    ['POST', '/api/schedules/nobody/pause'],
    ['POST', '/api/schedules/nobody/resume'],
    ['DELETE', '/api/schedules/nobody'],
  ])('answers 404 for %s %s', async (method, path) => {
    await create();
    const p = await problem(await send(method, path, method === 'PATCH' ? { every: 60 } : undefined), 404);
    expect(p.detail).toContain('nobody');
    expect(store.journal.lastSeq).toBe(1);
  });

  it('answers 404 for a deleted tenant', async () => {
    await create();
    expect((await send('DELETE', '/api/schedules/acme-roofing')).status).toBe(204);
    await problem(await send('POST', '/api/schedules/acme-roofing/pause'), 404);
  });

  it('answers 404 for a path tenant that cannot exist (not 400: it is a resource, not a field)', async () => {
    await problem(await send('GET', '/api/schedules/Bad%20Tenant!'), 404);
  });
});

describe('PATCH and pause bodies', () => {
  beforeEach(() => create());

  it.each([
    ['every below 10 seconds', { every: 5 }, ['every']],
    ['both every and cron', { every: 60, cron: '0 * * * *' }, ['cron']],
    ['a bad time zone', { cron: '0 * * * *', timezone: 'Nowhere/Land' }, ['timezone']],
    ['a tenant (it is in the path)', { tenant: 'other' }, ['tenant']],
  ])('PATCH refuses %s', async (_name, body, fields) => {
    const p = await problem(await send('PATCH', '/api/schedules/acme-roofing', body), 400);
    expect(fieldsOf(p)).toEqual(fields);
    expect(store.journal.lastSeq).toBe(1);
  });

  it.each([
    ['a reason over 500 characters', { reason: 'x'.repeat(501) }, 'reason'],
    ['an until that is not a time', { until: 'tomorrow' }, 'until'],
    ['a reason that is not a string', { reason: 42 }, 'reason'],
  ])('pause refuses %s', async (_name, body, field) => {
    const p = await problem(await send('POST', '/api/schedules/acme-roofing/pause', body), 400);
    expect(fieldsOf(p)).toEqual([field]);
    expect(store.journal.lastSeq).toBe(1);
  });
});

describe('query parameters', () => {
  it.each([
    ['/api/audit?limit=0', 'limit'],
    ['/api/audit?limit=101', 'limit'],
    ['/api/audit?limit=ten', 'limit'],
    ['/api/audit?tenant=Not%20A%20Slug', 'tenant'],
    ['/api/events?after=-1', 'after'],
    ['/api/events?after=1.5', 'after'],
    ['/api/events?limit=100000', 'limit'],
    ['/api/events?type=schedule.exploded', 'type'],
  ])('%s gets 400 naming %s', async (url, field) => {
    const p = await problem(await app.request(`http://localhost${url}`), 400);
    expect(fieldsOf(p)).toEqual([field]);
  });
});

describe('the x-ops header', () => {
  it.each([
    ['POST', '/api/schedules', { tenant: 'acme', every: 60 }],
    ['PATCH', '/api/schedules/acme-roofing', { every: 60 }],
    ['POST', '/api/schedules/acme-roofing/pause', undefined],
    ['DELETE', '/api/schedules/acme-roofing', undefined],
  ])('is required for %s %s (403 without it)', async (method, path, body) => {
    await create();
    const res = await app.request(`http://localhost${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const p = await problem(res, 403);
    expect(p.detail).toContain('x-ops');
    expect(store.journal.lastSeq).toBe(1);
  });

  it('is not needed to read', async () => {
    expect((await app.request('http://localhost/api/schedules')).status).toBe(200);
  });
});
