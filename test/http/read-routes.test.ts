import { beforeEach, describe, expect, it } from 'vitest';
import { type Harness, makeApp, T0 } from './harness.ts';

let h: Harness;
const json = async (res: Response) => (await res.json()) as any;

beforeEach(async () => {
  h = makeApp();
  await h.request('POST', '/api/schedules', { body: { tenant: 'acme', every: 60 } });
  h.clock.advance(60_000);
  await h.request('POST', '/api/schedules', { body: { tenant: 'beta', every: 3600 } });
  h.clock.advance(60_000);
  await h.request('POST', '/api/schedules/acme/pause', { body: { reason: 'maintenance' } });
});

describe('read routes', () => {
  it('answers the audit newest first, filtered by tenant and limited', async () => {
    const body = await json(await h.request('GET', '/api/audit?limit=2', { as: 'viewer' }));
    expect(body.asOf).toEqual({ seq: 3, ts: '2026-11-25T08:02:00.000Z' });
    expect(body.entries.map((e: { operation: string }) => e.operation)).toEqual(['paused', 'created']);
    const beta = await json(await h.request('GET', '/api/audit?tenant=beta', { as: 'viewer' }));
    expect(beta.entries.map((e: { tenant: string }) => e.tenant)).toEqual(['beta']);
  });

  it('answers recent runs (none yet) and the summary', async () => {
    expect(await json(await h.request('GET', '/api/runs?limit=5', { as: 'viewer' }))).toEqual({ asOf: { seq: 3, ts: '2026-11-25T08:02:00.000Z' }, runs: [] });
    expect(await json(await h.request('GET', '/api/summary', { as: 'viewer' }))).toMatchObject({ tenants: 2, ok: 1, paused: 1, error: 0 });
  });

  it('pages the journal and tells the last seq', async () => {
    const body = await json(await h.request('GET', '/api/events?after=1&limit=1', { as: 'viewer' }));
    expect(body.lastSeq).toBe(3);
    expect(body.events.map((e: { seq: number }) => e.seq)).toEqual([2]);
  });

  it('answers 400 naming the query field that is wrong', async () => {
    for (const [url, field] of [
      ['/api/audit?limit=0', 'limit'],
      ['/api/audit?limit=abc', 'limit'],
      ['/api/runs?tenant=Not%20A%20Slug', 'tenant'],
      ['/api/events?type=nope', 'type'],
      ['/api/events?after=-1', 'after'],
      ['/api/events/stream?after=x', 'after'],
      ['/api/replay?seq=1.5', 'seq'],
      ['/api/replay?at=yesterday', 'at'],
    ] as const) {
      const res = await h.request('GET', url, { as: 'viewer' });
      expect(res.status, url).toBe(400);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect((await json(res)).errors.map((e: { field: string }) => e.field), url).toContain(field);
    }
  });
});

describe('replay', () => {
  it('answers the projections as of a seq', async () => {
    const body = await json(await h.request('GET', '/api/replay?seq=2', { as: 'viewer' }));
    expect(body.asOf).toEqual({ seq: 2, ts: '2026-11-25T08:01:00.000Z' });
    expect(body.schedules.map((s: { tenant: string; status: string }) => [s.tenant, s.status])).toEqual([
      ['acme', 'OK'],
      ['beta', 'OK'],
    ]);
    expect(body.audit.map((e: { seq: number }) => e.seq)).toEqual([2, 1]);
    expect(body.summary).toMatchObject({ tenants: 2, paused: 0, asOf: { seq: 2 } });
  });

  it('answers the projections as of an instant: every event with ts at or before it', async () => {
    const at = new Date(T0 + 90_000).toISOString();
    const body = await json(await h.request('GET', `/api/replay?at=${at}`, { as: 'viewer' }));
    expect(body.asOf.seq).toBe(2);
    const before = await json(await h.request('GET', '/api/replay?at=2020-01-01T00:00:00Z', { as: 'viewer' }));
    expect(before).toMatchObject({ asOf: { seq: 0, ts: null }, schedules: [], audit: [] });
  });

  it('matches the live state at the last seq', async () => {
    const replay = await json(await h.request('GET', '/api/replay?seq=3', { as: 'viewer' }));
    const live = await json(await h.request('GET', '/api/schedules', { as: 'viewer' }));
    expect(replay.schedules).toEqual(live.schedules);
  });

  it('refuses both, neither, and a seq past the journal', async () => {
    for (const url of ['/api/replay', '/api/replay?seq=1&at=2026-11-25T08:00:00Z', '/api/replay?seq=4']) {
      expect((await h.request('GET', url, { as: 'viewer' })).status, url).toBe(400);
    }
  });
});

describe('health, metrics and docs', () => {
  it('answers health without a token, saying only status, seq and the store', async () => {
    const res = await h.request('GET', '/api/health', { as: null });
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body).toMatchObject({ status: 'ok', seq: 3, store: 'memory' });
    expect(JSON.stringify(body)).not.toMatch(/token|secret|dataDir|path/i);
  });

  it('exposes Prometheus metrics to a viewer, and not to anyone', async () => {
    expect((await h.request('GET', '/metrics', { as: null })).status).toBe(401);
    const res = await h.request('GET', '/metrics', { as: 'viewer' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(text).toContain('cc_events_appended_total{type="schedule.created"} 2');
    expect(text).toContain('cc_schedules{status="PAUSED"} 1');
    expect(text).toContain('# TYPE cc_append_latency_seconds histogram');
    expect(text).toMatch(/cc_append_latency_seconds_count \d+/);
    expect(text).toContain('cc_sse_clients 0');
    expect(text).toContain('cc_stale_tenants 0');
  });

  it('publishes an OpenAPI 3.1 document covering every route, and a self-contained docs page', async () => {
    const doc = await json(await h.request('GET', '/api/openapi.json', { as: null }));
    expect(doc.openapi).toBe('3.1.0');
    const operations = Object.entries(doc.paths as Record<string, object>).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`));
    for (const route of h.app.routes) {
      if (route.method === 'ALL' || route.path.includes('*') || ['/login', '/logout', '/api/docs', '/api/openapi.json'].includes(route.path)) continue;
      expect(operations, route.path).toContain(`${route.method} ${route.path.replace(/:(\w+)/g, '{$1}')}`);
    }
    expect(doc.paths['/api/schedules'].post.requestBody.content['application/json'].schema.properties.tenant).toBeDefined();
    const page = await h.request('GET', '/api/docs', { as: null });
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const html = await page.text();
    expect(html).toContain('/api/schedules/{tenant}/revert');
    expect(html).not.toMatch(/<script|<link|src=|@import|url\(/i);
  });
});
