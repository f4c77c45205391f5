import type { Context } from 'hono';
import type { z } from 'zod';
import { notFound } from '../core/domain/errors.ts';
import { MAX_BODY_BYTES as MAX_BODY } from './body-limit.ts';
import { fieldErrors, HttpProblem } from './problem.ts';
import { tenantParam } from './schemas.ts';

// A path's tenant (Hono has already percent-decoded it); one that cannot exist is simply not found.
export const tenantOfParam = (raw: string): string => {
  const parsed = tenantParam.safeParse(raw);
  if (!parsed.success) throw notFound(`no schedule for tenant "${raw.slice(0, 80)}"`);
  return parsed.data;
};

// Reads and validates a JSON body; every failure is a 4xx that names the field.
export const jsonBody = async <S extends z.ZodType>(c: Context, schema: S, { optional = false } = {}): Promise<z.infer<S>> => {
  const text = await c.req.text();
  if (Buffer.byteLength(text) > MAX_BODY) throw new HttpProblem(413, `the body must be at most ${MAX_BODY} bytes`);
  let value: unknown = {};
  if (text.trim() !== '') {
    const type = c.req.header('content-type') ?? '';
    if (!/^application\/(.+\+)?json\b/i.test(type)) throw new HttpProblem(415, 'the body must be JSON (content-type: application/json)');
    try {
      value = JSON.parse(text);
    } catch {
      throw new HttpProblem(400, 'the body is not valid JSON', [{ field: '(body)', message: 'not valid JSON' }]);
    }
  } else if (!optional) {
    throw new HttpProblem(400, 'a JSON body is required', [{ field: '(body)', message: 'required' }]);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new HttpProblem(400, 'the request body is not valid', fieldErrors(parsed.error));
  return parsed.data;
};

export const query = <S extends z.ZodType>(c: Context, schema: S): z.infer<S> => {
  const parsed = schema.safeParse(c.req.query());
  if (!parsed.success) throw new HttpProblem(400, 'the query is not valid', fieldErrors(parsed.error));
  return parsed.data;
};
