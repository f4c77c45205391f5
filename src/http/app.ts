import fs from 'node:fs';
import path from 'node:path';
import { Hono } from 'hono';
import { type AppDeps, type Env, originOf } from './context.ts';
import { createServerMetrics } from '../core/metrics/server-metrics.ts';
import { limitBody } from './body-limit.ts';
import { corsPolicy } from './cors.ts';
import { docsRoutes } from './docs-routes.ts';
import { authenticate, hostAllowlist, requireOpsHeader } from './guards.ts';
import { historyRoutes } from './history-routes.ts';
import { loginRoutes } from './login-routes.ts';
import { answerWrongMethods } from './method-not-allowed.ts';
import { metricsRoutes } from './metrics-routes.ts';
import { problemJson, toProblem } from './problem.ts';
import { readRoutes } from './read-routes.ts';
import { replayRoutes } from './replay-routes.ts';
import { requestLog } from './request-log.ts';
import { scheduleRoutes } from './schedule-routes.ts';
import { SseHub } from './sse-hub.ts';
import { type SseOptions, sseRoutes } from './sse-routes.ts';
import { staticUi } from './static-ui.ts';

export const createApp = (deps: AppDeps, options: { sse?: SseOptions } = {}) => {
  const app = new Hono<Env>();
  const logError = (error: unknown) => deps.log.error('request failed', { error: (error as Error)?.stack ?? String(error) });

  const streams = deps.streams ?? new SseHub(deps.store.journal, options.sse);
  const metrics = deps.metrics ?? createServerMetrics({ store: deps.store, clock: deps.clock, sseClients: () => streams.size });
  const access = deps.access;
  const signedIn = authenticate(access ? (credentials) => access.authenticate(credentials) : undefined);

  app.onError((error, c) => toProblem(c, error, logError));
  app.notFound((c) => problemJson(c, 404, `no route for ${c.req.method} ${c.req.path.slice(0, 200)}`));
  app.use('*', requestLog({ log: deps.log }));
  app.use('*', hostAllowlist({ hosts: deps.allowedHosts }));
  app.use('*', corsPolicy({ origins: deps.corsOrigins }));

  // Health answers without a token (probes, load balancers) and says nothing else. Low free
  // disk makes it `degraded`, still 200: the server serves and writes; an operator must act
  // before appends fail, but a load balancer must not take the only server out of rotation.
  app.get('/api/health', async (c) => {
    const storage = await deps.store.usage?.().catch(() => undefined);
    return c.json({
      status: storage?.low ? 'degraded' : 'ok',
      seq: deps.store.journal.lastSeq,
      store: deps.store.kind,
      scheduler: deps.scheduler?.state() ?? null,
      // PostgreSQL: which instance fires scheduled runs, for load balancers and operators
      ...(deps.leader ? { leader: deps.leader() } : {}),
      ...(storage ? { storage } : {}),
    });
  });

  // The API's shape is no secret: client generators need it without a token.
  app.route('/api', docsRoutes());
  app.route('/', loginRoutes({ access }));
  app.use('/metrics', signedIn);
  app.route('/', metricsRoutes(metrics.registry, metrics.refresh));

  const api = new Hono<Env>();
  api.use('*', signedIn, requireOpsHeader(), limitBody());
  api.route('/schedules', scheduleRoutes(deps));
  api.route('/schedules', historyRoutes(deps));
  api.route('/events', sseRoutes(streams));
  // Who is asking: the UI hides what this role may not do.
  api.get('/session', (c) => {
    const { role, name, via } = c.get('principal');
    return c.json({ role, name, source: originOf(c.get('principal')).source, via });
  });
  api.route('/', readRoutes(deps));
  api.route('/', replayRoutes(deps));
  app.route('/api', api);

  if (deps.webRoot && fs.existsSync(path.join(deps.webRoot, 'index.html'))) app.route('/', staticUi(deps.webRoot));
  answerWrongMethods(app);
  return app;
};
