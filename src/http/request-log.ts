import type { MiddlewareHandler } from 'hono';
import type { Logger } from '../core/logger.ts';
import type { Env } from './context.ts';

// Query parameters whose values must never reach a log line.
const SECRET_PARAMS = new Set(['token', 'access_token']);

export const redactedPath = (url: string): string => {
  const parsed = new URL(url);
  for (const key of [...parsed.searchParams.keys()]) {
    if (SECRET_PARAMS.has(key.toLowerCase())) parsed.searchParams.set(key, 'REDACTED');
  }
  return parsed.pathname + parsed.search;
};

// One JSON line per request: method, path, status, duration and who asked — never a token.
export const requestLog = (options: { log: Logger; now?: () => number }): MiddlewareHandler<Env> => {
  const now = options.now ?? (() => performance.now());
  return async function logRequest(c, next) {
    const started = now();
    await next();
    options.log.info('request', {
      method: c.req.method,
      path: redactedPath(c.req.url),
      status: c.res.status,
      ms: Math.round((now() - started) * 10) / 10,
      actor: c.get('principal')?.name ?? null,
    });
  };
};
