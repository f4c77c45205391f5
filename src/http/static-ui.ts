import fs from 'node:fs';
import path from 'node:path';
import { Hono } from 'hono';
import type { Env } from './context.ts';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
};

// Serves the Vite build. Files are read once: the build does not change under a running server.
// Unknown paths that are not assets get index.html, so the UI's routes (/panel, /replay) load.
export const staticUi = (root: string) => {
  const cache = new Map<string, { body: Buffer; type: string }>();
  const load = (rel: string) => {
    const hit = cache.get(rel);
    if (hit) return hit;
    const file = path.resolve(root, `.${rel}`);
    if (!file.startsWith(path.resolve(root) + path.sep)) return undefined;
    try {
      if (!fs.statSync(file).isFile()) return undefined;
      const entry = { body: fs.readFileSync(file), type: TYPES[path.extname(file)] ?? 'application/octet-stream' };
      cache.set(rel, entry);
      return entry;
    } catch {
      return undefined;
    }
  };
  const app = new Hono<Env>();
  app.get('*', (c) => {
    // an unknown API path is a 404 problem, never the UI's index.html
    if (c.req.path === '/api' || c.req.path.startsWith('/api/')) return c.notFound();
    const rel = c.req.path === '/' ? '/index.html' : c.req.path;
    const asset = load(rel);
    if (asset) {
      const immutable = rel.startsWith('/assets/');
      return c.body(new Uint8Array(asset.body), 200, {
        'content-type': asset.type,
        'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      });
    }
    if (path.extname(rel) !== '') return c.notFound();
    const index = load('/index.html');
    return index ? c.body(new Uint8Array(index.body), 200, { 'content-type': index.type, 'cache-control': 'no-cache' }) : c.notFound();
  });
  return app;
};
