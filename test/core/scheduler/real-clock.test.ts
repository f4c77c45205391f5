import { describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/core/clock.ts';
import { nextDue } from '../../../src/core/domain/timetable.ts';
import { createScheduler } from '../../../src/core/scheduler/scheduler.ts';
import { CommandService } from '../../../src/core/service.ts';
import { openMemoryStore } from '../../../src/core/store/memory-store.ts';
import { systemTimers } from '../../../src/core/timers.ts';

describe('on the real clock', () => {
  it('fires a schedule of every: 10 within the second it is due', async () => {
    const store = openMemoryStore();
    const service = new CommandService({ store, clock: systemClock });
    let ran!: (at: number) => void;
    const invoked = new Promise<number>((resolve) => (ran = resolve));
    const scheduler = createScheduler({
      store,
      service,
      clock: systemClock,
      timers: systemTimers,
      runners: { demo: { name: 'demo', run: async () => (ran(Date.now()), { imported: 0 }) } },
    });
    await service.execute({ type: 'CreateSchedule', tenant: 'acme-roofing', spec: { every: 10 }, runner: 'demo' }, { source: 'api', actor: 'test' });
    await scheduler.start();
    const s = store.projector.schedules.get('acme-roofing')!;
    // the tenant offset puts it somewhere in the 10 s; the due time is still exact
    const due = nextDue(s.spec, Date.parse(s.anchor), s.tenant, Date.parse(s.createdAt));
    try {
      const at = await invoked;
      const started = (await store.journal.read({ after: 0, limit: 10, type: 'run.started' }))[0]!;
      expect(started.data).toMatchObject({ scheduledFor: new Date(due).toISOString(), trigger: 'scheduled' });
      expect(at).toBeGreaterThanOrEqual(due);
      expect(at - due).toBeLessThan(1000);
      expect(Date.parse(started.ts) - due).toBeLessThan(1000);
    } finally {
      await scheduler.stop(1000);
      await store.close();
    }
  });
});
