import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { makeApp, OPERATOR_TOKEN, VIEWER_TOKEN } from './harness.ts';

const printable = (max: number) => fc.string({ unit: fc.constantFrom(...' !"#$%&\'()*+,-./0123456789:;<=>?@ABCZ[\\]^_`abcz{|}~'.split('')), maxLength: max });
const segment = fc.oneof(
  fc.constantFrom('acme', 'beta', 'ACME', '%25', '%E0%A4%A', '..', '%2F', 'a'.repeat(70), '-x', 'history', 'revert', 'run', 'pause', 'stream'),
  fc.string({ maxLength: 12 }).map(encodeURIComponent),
  printable(10),
);
const path = fc.oneof(
  fc.constantFrom('/api/schedules', '/api/schedules/acme', '/api/schedules/acme/pause', '/api/schedules/acme/revert'),
  fc.constantFrom(
    '/api/health', '/api/schedules', '/api/audit', '/api/runs', '/api/summary', '/api/events', '/api/events/stream', '/api/replay',
    '/api/openapi.json', '/api/docs', '/metrics', '/login', '/logout', '/', '/api', '/api/',
  ),
  fc.tuple(segment, fc.constantFrom('', '/pause', '/resume', '/run', '/history', '/revert', '/x')).map(([t, rest]) => `/api/schedules/${t}${rest}`),
  fc.array(segment, { maxLength: 4 }).map((parts) => `/${parts.join('/')}`),
);
const query = fc.oneof(
  fc.constant(''),
  fc
    .array(fc.tuple(fc.constantFrom('limit', 'tenant', 'after', 'type', 'seq', 'at', 'token', 'next', 'x'), fc.oneof(printable(12), fc.integer().map(String), fc.constantFrom('2026-11-25T08:00:00Z', '-1', '1e999', 'NaN', '0x10'))), { maxLength: 4 })
    .map((pairs) => `?${pairs.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&')}`),
  printable(20).map((q) => `?${q}`),
);
const body = fc.oneof(
  fc.constant(undefined),
  fc.constant(`{"pad":"${'x'.repeat(70_000)}"}`),
  fc.record({ tenant: fc.constantFrom('acme', 'beta', 'gamma', 'delta'), every: fc.integer({ min: 10, max: 3600 }) }).map((v) => JSON.stringify(v)),
  fc.record({ tenant: fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/), every: fc.integer({ min: 10, max: 3600 }) }).map((v) => JSON.stringify(v)),
  printable(40),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
  fc
    .record(
      {
        tenant: fc.oneof(fc.constantFrom('acme', 'beta', ' New-One '), printable(10), fc.integer()),
        every: fc.oneof(fc.integer({ min: -10, max: 700_000 }), fc.double(), fc.constant(null)),
        cron: fc.oneof(fc.constantFrom('*/5 * * * *', '0 0 * * *', 'bad', '* * *'), printable(12)),
        timezone: fc.constantFrom('UTC', 'America/Denver', 'Mars/Olympus'),
        runner: fc.constantFrom('demo', 'http', 'other'),
        reason: printable(20),
        until: fc.constantFrom('2026-11-26T08:00:00Z', 'tomorrow'),
        toSeq: fc.oneof(fc.integer({ min: -2, max: 50 }), fc.constant('1')),
        timeoutSeconds: fc.integer({ min: -5, max: 100_000 }),
        paused: fc.boolean(),
      },
      { requiredKeys: [] },
    )
    .map((v) => JSON.stringify(v)),
);
const request = fc.record({
  method: fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'),
  path,
  query,
  body,
  auth: fc.constantFrom(undefined, `Bearer ${OPERATOR_TOKEN}`, `Bearer ${OPERATOR_TOKEN}`, `Bearer ${VIEWER_TOKEN}`, 'Bearer nope', 'Basic abc', 'Bearer'),
  ops: fc.constantFrom(undefined, '1', '0'),
  contentType: fc.constantFrom(undefined, 'application/json', 'application/json; charset=utf-8', 'text/plain', 'application/problem+json', 'multipart/form-data'),
  host: fc.constantFrom('localhost', 'localhost', 'localhost:8787', 'evil.example'),
  origin: fc.constantFrom(undefined, undefined, 'http://localhost', 'https://evil.example', 'null'),
  lastEventId: fc.oneof(fc.constant(undefined), fc.constantFrom('0', '5', '999999999999'), printable(8)),
  cookie: fc.oneof(fc.constant(undefined), printable(30), fc.constantFrom('cc_session=v1.x.y', 'cc_session=')),
  // half the requests carry good credentials and headers, so the fuzz reaches the handlers
  wellFormed: fc.boolean(),
});

describe('fuzzing every route', () => {
  it('answers 10,000 random requests without a 5xx, and stays healthy', async () => {
    const h = makeApp();
    await h.request('POST', '/api/schedules', { body: { tenant: 'acme', every: 60 } });
    let requests = 0;
    const statuses = new Set<number>();
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        if (r.wellFormed) Object.assign(r, { auth: `Bearer ${OPERATOR_TOKEN}`, ops: '1', contentType: 'application/json', host: 'localhost', origin: undefined, cookie: undefined });
        const headers: Record<string, string> = { host: r.host };
        if (r.auth) headers.authorization = r.auth;
        if (r.ops) headers['x-ops'] = r.ops;
        if (r.contentType) headers['content-type'] = r.contentType;
        if (r.origin) headers.origin = r.origin;
        if (r.lastEventId !== undefined) headers['last-event-id'] = r.lastEventId;
        if (r.cookie) headers.cookie = r.cookie;
        const withBody = r.body !== undefined && r.method !== 'GET' && r.method !== 'HEAD';
        const res = await h.app.request(`http://localhost${r.path}${r.query}`, { method: r.method, headers, body: withBody ? r.body : undefined });
        requests += 1;
        statuses.add(res.status);
        await res.body?.cancel();
        expect(res.status, `${r.method} ${r.path}${r.query}`).toBeLessThan(500);
        if (res.status >= 400) expect(res.headers.get('content-type')).toBe('application/problem+json');
      }),
      { numRuns: 10_000, seed: 4242 },
    );
    expect(requests).toBe(10_000);
    // the fuzz reached past the guards into the handlers, not only the refusals
    for (const status of [200, 201, 204, 400, 401, 403, 404, 405, 409, 413, 415]) expect(statuses, String(status)).toContain(status);
    expect(h.logs.filter((l) => l.msg === 'request failed')).toEqual([]);
    expect((await h.request('GET', '/api/health', { as: null })).status).toBe(200);
    expect((await h.request('POST', '/api/schedules', { body: { tenant: 'after-the-fuzz', every: 60 } })).status).toBe(201);
    expect(h.streams.size).toBe(0);
  });
});
