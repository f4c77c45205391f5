import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { z } from 'zod';
import { DomainError, type FieldError } from '../core/domain/errors.ts';
import { type AppendOutcome, JournalError } from '../core/journal/journal.ts';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: FieldError[];
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export const problemJson = (c: Context, status: ContentfulStatusCode, detail: string, errors?: FieldError[], type = 'about:blank') => {
  const body: Problem = { type, title: TITLES[status] ?? 'Error', status, detail };
  if (errors && errors.length > 0) body.errors = errors;
  return c.body(JSON.stringify(body), status, { 'content-type': 'application/problem+json' });
};

export const fieldErrors = (error: z.ZodError, prefix = ''): FieldError[] =>
  error.issues.flatMap((issue) => {
    const at = (key?: string) => [prefix, ...issue.path.map(String), key].filter(Boolean).join('.') || '(body)';
    // an unknown key is a field of its own: name it, not the object that holds it
    if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => ({ field: at(key), message: `unknown field "${key}"` }));
    return [{ field: at(), message: issue.message }];
  });

export class HttpProblem extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    message: string,
    readonly errors: FieldError[] = [],
  ) {
    super(message);
  }
}

const DOMAIN_STATUS = { invalid: 400, not_found: 404, conflict: 409, unavailable: 503 } as const;

// What a client may safely do next depends on whether its change was recorded.
const JOURNAL_DETAIL: Record<AppendOutcome, string> = {
  'not-recorded': 'the journal cannot record changes right now; nothing was changed. Try again shortly.',
  unknown:
    'the connection to the database was lost while the change was being committed: it may or may not have been recorded. Check the audit before retrying.',
  recorded: 'the change was recorded, but this server cannot show it yet (the database stopped answering); it appears once the database is back. Do not repeat it.',
};
const JOURNAL_READ_DETAIL = 'the journal cannot be read right now; try again shortly.';

// The one place errors become responses. Internals (stacks, paths) never reach a client.
export const toProblem = (c: Context, error: unknown, log: (error: unknown) => void) => {
  if (error instanceof HttpProblem) return problemJson(c, error.status, error.message, error.errors);
  if (error instanceof DomainError) return problemJson(c, DOMAIN_STATUS[error.code], error.message, error.errors);
  if (error instanceof z.ZodError) return problemJson(c, 400, 'the request is not valid', fieldErrors(error));
  if (error instanceof JournalError && error.code !== 'corrupt') {
    log(error);
    const reading = c.req.method === 'GET' || c.req.method === 'HEAD';
    return problemJson(c, 503, reading ? JOURNAL_READ_DETAIL : JOURNAL_DETAIL[error.outcome]);
  }
  log(error);
  return problemJson(c, 500, 'an internal error occurred; it has been logged');
};
