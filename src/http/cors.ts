import type { MiddlewareHandler } from 'hono';
import type { Env } from './context.ts';
import { problemJson } from './problem.ts';

const ALLOW_METHODS = 'GET, HEAD, POST, PATCH, DELETE';
const ALLOW_HEADERS = 'authorization, content-type, x-ops, last-event-id';

const sameOrigin = (origin: string, host: string | undefined): boolean => {
  try {
    return host !== undefined && new URL(origin).host === host.toLowerCase();
  } catch {
    return false;
  }
};

// Closed by default: a request from another origin is refused, and nothing answers a
// preflight, so a page elsewhere can neither read our answers nor send `x-ops`. Origins
// listed in CC_CORS_ORIGINS get the headers (token clients only: no cookies cross-site).
export const corsPolicy = (options: { origins?: readonly string[] } = {}): MiddlewareHandler<Env> => {
  const allowed = new Set((options.origins ?? []).map((o) => o.toLowerCase()));
  return async function corsGuard(c, next) {
    const origin = c.req.header('origin');
    if (origin === undefined || sameOrigin(origin, c.req.header('host'))) return next();
    if (!allowed.has(origin.toLowerCase())) {
      return problemJson(c, 403, 'cross-origin requests are not allowed; add the origin to CC_CORS_ORIGINS');
    }
    if (c.req.method === 'OPTIONS' && c.req.header('access-control-request-method') !== undefined) {
      return c.body(null, 204, {
        'Access-Control-Allow-Origin': origin,
        'Access-Control-Allow-Methods': ALLOW_METHODS,
        'Access-Control-Allow-Headers': ALLOW_HEADERS,
        'Access-Control-Max-Age': '600',
        Vary: 'Origin',
      });
    }
    c.header('Access-Control-Allow-Origin', origin);
    c.header('Vary', 'Origin');
    await next();
  };
};
