import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { Env } from './context.ts';
import { problemJson } from './problem.ts';

export const MAX_BODY_BYTES = 64 * 1024;

// Refuses a large body from its Content-Length before reading it; a chunked one is cut
// off as soon as it passes the limit.
export const limitBody = (maxBytes = MAX_BODY_BYTES): MiddlewareHandler<Env> =>
  bodyLimit({ maxSize: maxBytes, onError: (c) => problemJson(c, 413, `the body must be at most ${maxBytes} bytes`) });
