import { type Context, Hono } from 'hono';
import { deleteCookie, setCookie } from 'hono/cookie';
import { SESSION_COOKIE } from './access.ts';
import type { AppDeps, Env } from './context.ts';
import { problemJson } from './problem.ts';

// Only a path on this site: "/panel" yes; "//evil.example", "https://…", "/\\evil" no.
export const safeNext = (next: string | undefined): string =>
  next !== undefined && /^\/(?![/\\])[\x21-\x7e]*$/.test(next) ? next : '/';

const crossSite = (fetchSite: string | undefined) => fetchSite !== undefined && fetchSite !== 'same-origin' && fetchSite !== 'none';

// /login?token=… turns a token into a session cookie, so a browser (and its EventSource)
// never carries the token in a URL again.
export const loginRoutes = (deps: Pick<AppDeps, 'access'>) => {
  const app = new Hono<Env>();

  app.get('/login', async (c) => {
    const next = safeNext(c.req.query('next'));
    c.header('Cache-Control', 'no-store');
    c.header('Referrer-Policy', 'no-referrer');
    if (!deps.access) return c.redirect(next, 303);
    const result = await deps.access.login(c.req.query('token') ?? '');
    if (!result) return problemJson(c, 401, 'that token is not valid (it may have been revoked); ask an operator for a login link');
    setCookie(c, SESSION_COOKIE, result.session, {
      httpOnly: true,
      sameSite: 'Strict',
      path: '/',
      maxAge: result.maxAgeSeconds,
      secure: new URL(c.req.url).protocol === 'https:',
    });
    return c.redirect(next, 303);
  });

  const logout = (c: Context<Env>) => {
    // A link on another site must not be able to log a wall display out.
    if (crossSite(c.req.header('sec-fetch-site'))) return problemJson(c, 403, 'log out from this site');
    deleteCookie(c, SESSION_COOKIE, { path: '/' });
    c.header('Cache-Control', 'no-store');
    return c.req.method === 'POST' ? c.body(null, 204) : c.redirect('/', 303);
  };
  app.get('/logout', logout);
  app.post('/logout', logout);

  return app;
};
