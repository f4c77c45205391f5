import { Hono } from 'hono';
import { replayTo, replayView } from '../core/projections/replay.ts';
import type { AppDeps, Env } from './context.ts';
import { HttpProblem } from './problem.ts';
import { replayQuery } from './schemas.ts';
import { query } from './validate.ts';

// The projections as they were at a seq or an instant: the debugging view of the audit trail.
export const replayRoutes = (deps: AppDeps) => {
  const { store } = deps;
  const app = new Hono<Env>();

  app.get('/replay', async (c) => {
    const q = query(c, replayQuery);
    const lastSeq = store.journal.lastSeq;
    if (q.seq !== undefined && q.seq > lastSeq) {
      throw new HttpProblem(400, 'the query is not valid', [{ field: 'seq', message: `must be at most ${lastSeq}, the journal's last seq` }]);
    }
    // after a prune the journal starts later; the state at its boundary lives in a checkpoint
    const firstSeq = store.firstSeq?.() ?? 1;
    if (q.seq !== undefined && q.seq < firstSeq - 1) {
      throw new HttpProblem(400, 'the query is not valid', [{ field: 'seq', message: `events before seq ${firstSeq} were pruned; ask for seq ${firstSeq - 1} or later` }]);
    }
    const projector = await replayTo(store.journal, q.seq !== undefined ? { seq: q.seq } : { at: q.at! }, { checkpoints: store.checkpoints, firstSeq });
    return c.json(replayView(projector, q.at !== undefined ? Date.parse(q.at) : undefined));
  });

  return app;
};
