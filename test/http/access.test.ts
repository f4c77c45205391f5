import { describe, expect, it } from 'vitest';
import { makeApp, OPERATOR_TOKEN } from './harness.ts';

const cookieOf = (res: Response) => (res.headers.get('set-cookie') ?? '').split(';')[0]!;

describe('login, sessions and named tokens', () => {
  it('turns a token into an HttpOnly, SameSite=Strict session cookie and redirects to the UI', async () => {
    const h = makeApp();
    const res = await h.request('GET', `/login?token=${OPERATOR_TOKEN}&next=/panel`, { as: null });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/panel');
    const cookie = res.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^cc_session=v1\./);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    expect(cookie).toContain('Path=/');
    expect(cookie).toContain('Max-Age=2592000');
    expect(cookie).not.toContain(OPERATOR_TOKEN);
  });

  it('records changes made through the cookie with source ui and the token name as actor', async () => {
    const h = makeApp();
    const cookie = cookieOf(await h.request('GET', `/login?token=${OPERATOR_TOKEN}`, { as: null }));
    expect((await h.request('POST', '/api/schedules', { as: { cookie }, body: { tenant: 'acme', every: 60 } })).status).toBe(201);
    const [event] = await h.store.journal.read({ after: 0, limit: 1 });
    expect(event).toMatchObject({ source: 'ui', actor: 'operator' });
  });

  it('tells the browser who it is signed in as (GET /api/session), and refuses anonymous callers', async () => {
    const h = makeApp();
    const cookie = cookieOf(await h.request('GET', `/login?token=${OPERATOR_TOKEN}`, { as: null }));
    const asCookie = await h.request('GET', '/api/session', { as: { cookie } });
    expect(await asCookie.json()).toEqual({ role: 'operator', name: 'operator', source: 'ui', via: 'cookie' });
    const asViewer = await h.request('GET', '/api/session', { as: 'viewer' });
    expect(await asViewer.json()).toMatchObject({ role: 'viewer', source: 'api', via: 'bearer' });
    expect((await h.request('GET', '/api/session', { as: null })).status).toBe(401);
  });

  it('redirects only to a path on this site', async () => {
    const h = makeApp();
    for (const next of ['//evil.example', 'https://evil.example', '/\\evil.example', 'panel', '/caf\u00e9']) {
      const res = await h.request('GET', `/login?token=${OPERATOR_TOKEN}&next=${encodeURIComponent(next)}`, { as: null });
      expect(res.headers.get('location'), next).toBe('/');
    }
  });

  it('refuses an unknown token at login with 401 and sets no cookie', async () => {
    const h = makeApp();
    const res = await h.request('GET', '/login?token=wrong', { as: null });
    expect(res.status).toBe(401);
    expect(res.headers.get('set-cookie')).toBeNull();
  });

  it('keeps a session for 30 days and refuses it after', async () => {
    const h = makeApp();
    const cookie = cookieOf(await h.request('GET', `/login?token=${OPERATOR_TOKEN}`, { as: null }));
    h.clock.advance(29 * 24 * 3600 * 1000);
    expect((await h.request('GET', '/api/summary', { as: { cookie } })).status).toBe(200);
    h.clock.advance(2 * 24 * 3600 * 1000);
    expect((await h.request('GET', '/api/summary', { as: { cookie } })).status).toBe(401);
  });

  it('refuses a forged or altered session', async () => {
    const h = makeApp();
    const cookie = cookieOf(await h.request('GET', `/login?token=${OPERATOR_TOKEN}`, { as: null }));
    const [name, value] = cookie.split('=') as [string, string];
    const [v, payload, mac] = value.split('.') as [string, string, string];
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), role: 'operator', name: 'mallory' })).toString('base64url');
    expect((await h.request('GET', '/api/summary', { as: { cookie: `${name}=${v}.${forged}.${mac}` } })).status).toBe(401);
  });

  it('clears the session at /logout', async () => {
    const h = makeApp();
    const res = await h.request('POST', '/logout', { as: null });
    expect(res.status).toBe(204);
    expect(res.headers.get('set-cookie')).toMatch(/^cc_session=;.*Max-Age=0/);
    expect((await h.request('GET', '/logout', { as: null, headers: { 'sec-fetch-site': 'cross-site' } })).status).toBe(403);
  });

  it('names the actor after a personal token, and ends its sessions when it is revoked', async () => {
    const h = makeApp();
    const alice = await h.tokens.create('alice', 'operator');
    expect((await h.tokens.list()).find((t) => t.name === 'alice')).toMatchObject({ role: 'operator', builtin: false });
    await h.request('POST', '/api/schedules', { as: { bearer: alice }, body: { tenant: 'acme', every: 60 } });
    const [event] = await h.store.journal.read({ after: 0, limit: 1 });
    expect(event).toMatchObject({ actor: 'alice', source: 'api' });
    const cookie = cookieOf(await h.request('GET', `/login?token=${alice}`, { as: null }));
    expect((await h.request('GET', '/api/summary', { as: { cookie } })).status).toBe(200);
    await h.tokens.revoke('alice');
    expect((await h.request('GET', '/api/summary', { as: { cookie } })).status).toBe(401);
    expect((await h.request('GET', '/api/summary', { as: { bearer: alice } })).status).toBe(401);
    // a new token under the same name does not revive the old sessions
    await h.tokens.create('alice', 'operator');
    expect((await h.request('GET', '/api/summary', { as: { cookie } })).status).toBe(401);
  });

  it('gives a viewer token read access only', async () => {
    const h = makeApp();
    const carol = await h.tokens.create('carol', 'viewer');
    expect((await h.request('GET', '/api/schedules', { as: { bearer: carol } })).status).toBe(200);
    expect((await h.request('POST', '/api/schedules', { as: { bearer: carol }, body: { tenant: 'acme', every: 60 } })).status).toBe(403);
  });

  it('lets anyone on loopback in as "anonymous" when access control is off', async () => {
    const h = makeApp({ auth: false });
    expect((await h.request('POST', '/api/schedules', { as: null, body: { tenant: 'acme', every: 60 } })).status).toBe(201);
    const [event] = await h.store.journal.read({ after: 0, limit: 1 });
    expect(event?.actor).toBe('anonymous');
  });
});

describe('request logs', () => {
  it('writes one JSON line per request with method, path, status, duration and actor, never a token', async () => {
    const h = makeApp();
    await h.request('GET', '/api/summary', { as: 'viewer' });
    await h.request('GET', `/login?token=${OPERATOR_TOKEN}`, { as: null });
    const lines = h.logs.filter((l) => l.msg === 'request');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ method: 'GET', path: '/api/summary', status: 200, actor: 'viewer' });
    expect(typeof lines[0]!.ms).toBe('number');
    expect(lines[1]).toMatchObject({ path: '/login?token=REDACTED', status: 303 });
    expect(JSON.stringify(h.logs)).not.toContain(OPERATOR_TOKEN);
  });
});

describe('CORS', () => {
  it('refuses a foreign origin and answers no preflight when none is configured', async () => {
    const h = makeApp();
    const res = await h.request('GET', '/api/summary', { as: 'viewer', headers: { origin: 'https://evil.example' } });
    expect(res.status).toBe(403);
    expect([...res.headers.keys()].filter((k) => k.startsWith('access-control-'))).toEqual([]);
    const preflight = await h.request('OPTIONS', '/api/schedules', { as: null, headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    expect(preflight.status).toBe(403);
    expect([...preflight.headers.keys()].filter((k) => k.startsWith('access-control-'))).toEqual([]);
  });

  it('lets same-origin browser requests through', async () => {
    const h = makeApp();
    expect((await h.request('GET', '/api/summary', { as: 'viewer', headers: { origin: 'http://localhost' } })).status).toBe(200);
  });

  it('opens to the configured origins only', async () => {
    const h = makeApp({ corsOrigins: ['https://noc.example.com'] });
    const res = await h.request('GET', '/api/summary', { as: 'viewer', headers: { origin: 'https://noc.example.com' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('https://noc.example.com');
    const preflight = await h.request('OPTIONS', '/api/schedules', { as: null, headers: { origin: 'https://noc.example.com', 'access-control-request-method': 'POST' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-headers')).toContain('x-ops');
    expect((await h.request('GET', '/api/summary', { as: 'viewer', headers: { origin: 'https://other.example.com' } })).status).toBe(403);
  });
});
