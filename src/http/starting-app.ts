import { Hono } from 'hono';
import { hostAllowlist } from './guards.ts';
import { problemJson } from './problem.ts';

export interface StartingProgress {
  // events replayed into the projections so far (0 while a snapshot is read)
  replayed: number;
  startedAt: number;
}

// What the port answers between binding and the store being open: a start that replays a
// long journal takes minutes, and a NOC or a load balancer must be able to tell "starting"
// from "down". Health says so with the progress; everything else is 503 with Retry-After.
export const createStartingApp = (options: { allowedHosts?: string[]; progress: StartingProgress; now?: () => number }) => {
  const now = options.now ?? (() => performance.now());
  const app = new Hono();
  app.use('*', hostAllowlist({ hosts: options.allowedHosts }));
  app.get('/api/health', (c) =>
    c.json({ status: 'starting', replayed: options.progress.replayed, elapsedMs: Math.round(now() - options.progress.startedAt) }, 503, { 'retry-after': '2' }),
  );
  app.all('*', (c) => {
    c.header('retry-after', '2');
    return problemJson(c, 503, `Command Center is starting (${options.progress.replayed.toLocaleString('en-US')} journal events replayed so far); try again shortly`);
  });
  return app;
};
