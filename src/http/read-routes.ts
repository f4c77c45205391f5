import { Hono } from 'hono';
import { asOf, summarize } from '../core/domain/projection.ts';
import type { Store } from '../core/store/store.ts';
import type { AppDeps, Env } from './context.ts';
import { auditQuery, eventsQuery, runsQuery } from './schemas.ts';
import { query } from './validate.ts';

export const asOfNow = (store: Store) => asOf(store.projector.seq, store.projector.lastEvent);

export const readRoutes = (deps: AppDeps) => {
  const { store, clock } = deps;
  const app = new Hono<Env>();

  app.get('/audit', (c) => {
    const q = query(c, auditQuery);
    return c.json({ asOf: asOfNow(store), entries: store.projector.auditEntries(q.limit, q.tenant) });
  });

  app.get('/runs', (c) => {
    const q = query(c, runsQuery);
    return c.json({ asOf: asOfNow(store), runs: store.projector.recentRuns(q.limit, q.tenant) });
  });

  // `storage` tells the NOC wall that free disk is low before an append ever fails.
  app.get('/summary', async (c) => {
    const usage = await store.usage?.().catch(() => undefined);
    return c.json({
      ...summarize(store.projector.schedules.values(), store.projector.seq, store.projector.lastEvent, clock.now()),
      scheduler: deps.scheduler?.state() ?? null,
      storage: usage ? { low: usage.low, freeBytes: usage.freeBytes, minFreeBytes: usage.minFreeBytes } : null,
    });
  });

  app.get('/events', async (c) => {
    const q = query(c, eventsQuery);
    const read: Parameters<typeof store.journal.read>[0] = { after: q.after, limit: q.limit };
    if (q.tenant) read.tenant = q.tenant;
    if (q.type) read.type = q.type;
    // A poller that was on another instance of a shared (PostgreSQL) store a moment ago may
    // be ahead of this one: catch up first, or lastSeq < after would tell it the journal
    // was replaced (as SseHub.settle does for streams).
    if (q.after > store.journal.lastSeq) await store.journal.sync?.();
    const events = await store.journal.read(read);
    return c.json({ events, lastSeq: store.journal.lastSeq });
  });

  return app;
};
