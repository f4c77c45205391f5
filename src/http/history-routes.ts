import { Hono } from 'hono';
import { z } from 'zod';
import { notFound } from '../core/domain/errors.ts';
import { scheduleView } from '../core/domain/projection.ts';
import { policyOfSettings, sameSettings, settingsHistory, settingsOf, specOfSettings } from '../core/domain/settings.ts';
import { walkJournal } from '../core/projections/journal-walk.ts';
import { type AppDeps, type Env, originOf } from './context.ts';
import { HttpProblem } from './problem.ts';
import { jsonBody, tenantOfParam } from './validate.ts';

export const revertBody = z.strictObject({
  toSeq: z.number({ error: 'toSeq must be the seq of one of the versions' }).int('toSeq must be a whole number').positive('toSeq must be positive'),
});

// Settings history and revert: who changed what, when, and a way back.
export const historyRoutes = (deps: AppDeps) => {
  const { store, service, clock } = deps;
  const app = new Hono<Env>();

  const versionsOf = async (tenant: string) => {
    if (!store.projector.schedules.has(tenant)) throw notFound(`no schedule for tenant "${tenant}"`);
    const events = [];
    for await (const e of walkJournal(store.journal, { tenant })) if (e.type.startsWith('schedule.')) events.push(e);
    return settingsHistory(events);
  };

  app.get('/:tenant/history', async (c) => {
    const tenant = tenantOfParam(c.req.param('tenant'));
    return c.json({ tenant, versions: await versionsOf(tenant) });
  });

  app.post('/:tenant/revert', async (c) => {
    const tenant = tenantOfParam(c.req.param('tenant'));
    const { toSeq } = await jsonBody(c, revertBody);
    const target = (await versionsOf(tenant)).find((v) => v.seq === toSeq);
    if (!target) throw new HttpProblem(404, `seq ${toSeq} is not a version of the settings of "${tenant}"; see GET /api/schedules/${tenant}/history`, [{ field: 'toSeq', message: 'not one of its versions' }]);
    const current = store.projector.schedules.get(tenant);
    if (current && !sameSettings(settingsOf(current), target.settings)) {
      await service.execute(
        { type: 'UpdateSchedule', tenant, spec: specOfSettings(target.settings), runner: target.settings.runner, policy: policyOfSettings(target.settings), revertedTo: toSeq },
        originOf(c.get('principal')),
      );
    }
    const after = store.projector.schedules.get(tenant);
    if (!after) throw notFound(`no schedule for tenant "${tenant}"`);
    return c.json(scheduleView(after, clock.now()));
  });

  return app;
};
