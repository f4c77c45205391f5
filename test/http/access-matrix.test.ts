import { beforeAll, describe, expect, it } from 'vitest';
import { type As, type Harness, makeApp } from './harness.ts';

// Every route × who asks × whether x-ops is sent × a bad Host × a foreign Origin.
interface Route {
  method: string;
  path: string;
  body?: unknown;
  access: 'open' | 'viewer' | 'operator';
}

const ROUTES: Route[] = [
  { method: 'GET', path: '/api/health', access: 'open' },
  { method: 'GET', path: '/api/openapi.json', access: 'open' },
  { method: 'GET', path: '/api/docs', access: 'open' },
  { method: 'GET', path: '/api/schedules', access: 'viewer' },
  { method: 'GET', path: '/api/schedules/acme', access: 'viewer' },
  { method: 'GET', path: '/api/schedules/acme/history', access: 'viewer' },
  { method: 'GET', path: '/api/audit', access: 'viewer' },
  { method: 'GET', path: '/api/runs', access: 'viewer' },
  { method: 'GET', path: '/api/summary', access: 'viewer' },
  { method: 'GET', path: '/api/events', access: 'viewer' },
  { method: 'GET', path: '/api/events/stream', access: 'viewer' },
  { method: 'GET', path: '/api/replay?seq=0', access: 'viewer' },
  { method: 'GET', path: '/metrics', access: 'viewer' },
  { method: 'POST', path: '/api/schedules', body: { tenant: 'zeta', every: 60 }, access: 'operator' },
  { method: 'PATCH', path: '/api/schedules/acme', body: { every: 90 }, access: 'operator' },
  { method: 'POST', path: '/api/schedules/acme/pause', access: 'operator' },
  { method: 'POST', path: '/api/schedules/acme/resume', access: 'operator' },
  { method: 'POST', path: '/api/schedules/acme/revert', body: { toSeq: 1 }, access: 'operator' },
  { method: 'DELETE', path: '/api/schedules/beta', access: 'operator' },
];

const WHO: Array<[string, As]> = [
  ['anonymous', null],
  ['viewer', 'viewer'],
  ['operator', 'operator'],
];

// What each combination must get: the guard's status, or 'ok' (the route's own answer).
const expected = (route: Route, who: string, ops: boolean): number | 'ok' => {
  if (route.access === 'open') return 'ok';
  if (who === 'anonymous') return 401;
  if (route.access === 'operator' && who === 'viewer') return 403;
  if (route.access === 'operator' && !ops) return 403;
  return 'ok';
};

let h: Harness;
beforeAll(async () => {
  h = makeApp();
  await h.request('POST', '/api/schedules', { body: { tenant: 'acme', every: 60 } });
});

const send = async (route: Route, as: As, ops: boolean, headers: Record<string, string> = {}) => {
  // a deleted or created schedule must not change what the next case sees
  h = route.method === 'GET' ? h : makeApp();
  if (route.method !== 'GET') {
    await h.request('POST', '/api/schedules', { body: { tenant: 'acme', every: 60 } });
    await h.request('POST', '/api/schedules', { body: { tenant: 'beta', every: 60 } });
  }
  const res = await h.request(route.method, route.path, { as, ops, body: route.body, headers });
  await res.body?.cancel();
  return res.status;
};

describe('access matrix', () => {
  for (const route of ROUTES) {
    for (const [who, as] of WHO) {
      for (const ops of [false, true]) {
        it(`${route.method} ${route.path} as ${who} ${ops ? 'with' : 'without'} x-ops`, async () => {
          const status = await send(route, as, ops);
          const want = expected(route, who, ops);
          if (want === 'ok') {
            expect(status).toBeGreaterThanOrEqual(200);
            expect(status).toBeLessThan(300);
          } else expect(status).toBe(want);
        });
      }
      it(`${route.method} ${route.path} as ${who} with a bad Host is refused`, async () => {
        expect(await send(route, as, true, { host: 'evil.example:8787' })).toBe(403);
      });
      it(`${route.method} ${route.path} as ${who} from a foreign Origin is refused`, async () => {
        expect(await send(route, as, true, { origin: 'https://evil.example' })).toBe(403);
      });
    }
  }
});
