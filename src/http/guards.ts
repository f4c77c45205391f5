import type { MiddlewareHandler } from 'hono';
import type { Env, Principal } from './context.ts';
import { problemJson } from './problem.ts';

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

// DNS-rebinding guard: a page on evil.example resolving to 127.0.0.1 still sends its own Host.
export const hostAllowlist = (options: { hosts?: string[] }): MiddlewareHandler<Env> => {
  const allowed = options.hosts ? new Set(options.hosts.map((h) => h.toLowerCase())) : undefined;
  return async function hostAllowlistGuard(c, next) {
    if (allowed) {
      const host = (c.req.header('host') ?? '').toLowerCase();
      if (!allowed.has(host)) return problemJson(c, 403, `host "${host}" is not allowed; add it to CC_ALLOWED_HOSTS`);
    }
    await next();
  };
};

// A browser cannot send a custom header cross-site without a CORS preflight, which we refuse.
export const requireOpsHeader = (): MiddlewareHandler<Env> =>
  async function opsHeaderGuard(c, next) {
    if (MUTATING.has(c.req.method) && c.req.header('x-ops') !== '1') {
      return problemJson(c, 403, 'changes must carry the header "x-ops: 1"');
    }
    await next();
  };

const OPEN: Principal = { role: 'operator', name: 'anonymous', via: 'open' };

export const authenticate = (
  verify?: (h: { authorization?: string; cookie?: string }) => Principal | null | Promise<Principal | null>,
): MiddlewareHandler<Env> =>
  async function authenticateRequest(c, next) {
    const principal = verify ? await verify({ authorization: c.req.header('authorization'), cookie: c.req.header('cookie') }) : OPEN;
    if (!principal) return problemJson(c, 401, 'sign in: send "Authorization: Bearer <token>" or open /login?token=<token>');
    if (MUTATING.has(c.req.method) && principal.role !== 'operator') {
      return problemJson(c, 403, `role "${principal.role}" may not make changes`);
    }
    c.set('principal', principal);
    await next();
  };
