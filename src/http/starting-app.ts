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
    const replayed = options.progress.replayed.toLocaleString('en-US');
    // A browser opening the UI (a wall display after a restart) gets a page that reloads
    // itself into the real one once the server is ready.
    if (!c.req.path.startsWith('/api/') && c.req.method === 'GET' && (c.req.header('accept') ?? '').includes('text/html')) {
      c.header('cache-control', 'no-store');
      return c.html(startingPage(replayed), 503);
    }
    return problemJson(c, 503, `Command Center is starting (${replayed} journal events replayed so far); try again shortly`);
  });
  return app;
};

const startingPage = (replayed: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="2">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Command Center — starting</title>
<style>body{margin:0;min-height:100vh;display:grid;place-items:center;background:#0e1116;color:#d6dde5;font:1.5rem system-ui,sans-serif}
p{margin:.4em 0;text-align:center}.muted{color:#8d98a5;font-size:1rem}</style></head>
<body><main><p><strong>Command Center is starting</strong></p><p>${replayed} journal events replayed so far</p>
<p class="muted">This page reloads itself every 2 seconds.</p></main></body></html>
`;
