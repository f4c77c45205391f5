import fs from 'node:fs';
import path from 'node:path';
import { Hono } from 'hono';
import type { AppDeps, Env } from './context.ts';
import { authenticate, hostAllowlist, requireOpsHeader } from './guards.ts';
import { problemJson, toProblem } from './problem.ts';
import { readRoutes } from './read-routes.ts';
import { scheduleRoutes } from './schedule-routes.ts';
import { type SseOptions, sseRoutes } from './sse-routes.ts';
import { staticUi } from './static-ui.ts';

export const createApp = (deps: AppDeps, options: { sse?: SseOptions } = {}) => {
  const app = new Hono<Env>();
  const logError = (error: unknown) => deps.log.error('request failed', { error: (error as Error)?.stack ?? String(error) });

  app.onError((error, c) => toProblem(c, error, logError));
  app.notFound((c) => problemJson(c, 404, `no route for ${c.req.method} ${c.req.path}`));
  app.use('*', hostAllowlist({ hosts: deps.allowedHosts }));

  // Health answers without a token (probes, load balancers) and says nothing else.
  app.get('/api/health', (c) =>
    c.json({ status: 'ok', seq: deps.store.journal.lastSeq, store: deps.store.kind }),
  );

  const api = new Hono<Env>();
  api.use('*', authenticate(deps.authenticate), requireOpsHeader());
  api.route('/schedules', scheduleRoutes(deps));
  api.route('/events', sseRoutes(deps, options.sse));
  api.route('/', readRoutes(deps));
  app.route('/api', api);

  if (deps.webRoot && fs.existsSync(path.join(deps.webRoot, 'index.html'))) app.route('/', staticUi(deps.webRoot));
  return app;
};
