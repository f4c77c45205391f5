import { Hono } from 'hono';
import type { MetricsRegistry } from '../core/metrics/registry.ts';
import type { Env } from './context.ts';

export const metricsRoutes = (registry: MetricsRegistry) => {
  const app = new Hono<Env>();
  app.get('/metrics', (c) => c.body(registry.render(), 200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }));
  return app;
};
