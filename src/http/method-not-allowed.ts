import type { Hono } from 'hono';
import type { Env } from './context.ts';
import { problemJson } from './problem.ts';

// For every concrete route path, answer the methods it does not have with 405 and an
// Allow header. Registered last, so it only sees requests no real handler answered.
export const answerWrongMethods = (app: Hono<Env>): void => {
  const methods = new Map<string, Set<string>>();
  for (const route of app.routes) {
    if (route.method === 'ALL' || route.path.includes('*')) continue;
    const set = methods.get(route.path) ?? new Set<string>();
    set.add(route.method);
    if (route.method === 'GET') set.add('HEAD');
    methods.set(route.path, set);
  }
  for (const [path, allowed] of methods) {
    const allow = [...allowed].join(', ');
    app.all(path, (c) => {
      c.header('Allow', allow);
      return problemJson(c, 405, `${c.req.method} is not allowed here; use ${allow}`);
    });
  }
};
