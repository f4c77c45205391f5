import { Hono } from 'hono';
import type { Command } from '../core/domain/commands.ts';
import { notFound, unavailable } from '../core/domain/errors.ts';
import { scheduleView } from '../core/domain/projection.ts';
import { type AppDeps, type Env, originOf, type Principal } from './context.ts';
import { jsonBody, tenantOfParam } from './validate.ts';
import { createBody, patchBody, pauseBody, policyOf, specOf } from './schemas.ts';
import { asOfNow } from './read-routes.ts';

export const scheduleRoutes = (deps: AppDeps) => {
  const { store, service, clock } = deps;
  const app = new Hono<Env>();
  // Hono has percent-decoded the param already; decoding again threw on a literal "%".
  const tenantOf = tenantOfParam;
  const view = (tenant: string) => {
    const s = store.projector.schedules.get(tenant);
    if (!s) throw notFound(`no schedule for tenant "${tenant}"`);
    return scheduleView(s, clock.now());
  };
  const run = (c: { get: (k: 'principal') => Principal }, command: Command) =>
    service.execute(command, originOf(c.get('principal')));

  app.get('/', (c) => {
    const now = clock.now();
    const schedules = [...store.projector.schedules.values()]
      .sort((a, b) => (a.tenant < b.tenant ? -1 : 1))
      .map((s) => scheduleView(s, now));
    return c.json({ asOf: asOfNow(store), schedules });
  });

  app.post('/', async (c) => {
    const body = await jsonBody(c, createBody);
    const command: Command = {
      type: 'CreateSchedule',
      tenant: body.tenant,
      spec: specOf(body)!,
      runner: body.runner ?? deps.defaultRunner ?? 'demo',
      policy: policyOf(body),
      paused: body.paused ?? false,
    };
    await run(c, command);
    return c.json(view(body.tenant), 201);
  });

  app.get('/:tenant', (c) => c.json(view(tenantOf(c.req.param('tenant')))));

  app.patch('/:tenant', async (c) => {
    const tenant = tenantOf(c.req.param('tenant'));
    const body = await jsonBody(c, patchBody);
    const command: Command = { type: 'UpdateSchedule', tenant, policy: policyOf(body) };
    const spec = specOf(body);
    if (spec) command.spec = spec;
    if (body.runner) command.runner = body.runner;
    await run(c, command);
    return c.json(view(tenant));
  });

  app.post('/:tenant/pause', async (c) => {
    const tenant = tenantOf(c.req.param('tenant'));
    const body = await jsonBody(c, pauseBody, { optional: true });
    const command: Command = { type: 'PauseSchedule', tenant };
    if (body.reason) command.reason = body.reason;
    if (body.until) command.until = new Date(body.until).toISOString();
    await run(c, command);
    return c.json(view(tenant));
  });

  app.post('/:tenant/resume', async (c) => {
    const tenant = tenantOf(c.req.param('tenant'));
    await run(c, { type: 'ResumeSchedule', tenant });
    return c.json(view(tenant));
  });

  // 202: the run is accepted; its outcome arrives as run.* events (SSE, /api/runs).
  app.post('/:tenant/run', async (c) => {
    const tenant = tenantOf(c.req.param('tenant'));
    if (!deps.scheduler) throw unavailable('the scheduler is not running on this server');
    const { runId } = await deps.scheduler.runNow(tenant, originOf(c.get('principal')));
    return c.json({ runId }, 202);
  });

  app.delete('/:tenant', async (c) => {
    const tenant = tenantOf(c.req.param('tenant'));
    await run(c, { type: 'DeleteSchedule', tenant });
    return c.body(null, 204);
  });

  return app;
};
