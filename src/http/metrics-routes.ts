import { Hono } from 'hono';
import type { MetricsRegistry } from '../core/metrics/registry.ts';
import type { Env } from './context.ts';

// `refresh` brings gauges measured asynchronously (disk usage) up to date before a scrape.
export const metricsRoutes = (registry: MetricsRegistry, refresh?: () => Promise<void>) => {
  const app = new Hono<Env>();
  app.get('/metrics', async (c) => {
    await refresh?.().catch(() => {});
    return c.body(registry.render(), 200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
  });
  return app;
};
