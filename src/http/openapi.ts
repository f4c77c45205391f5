import { z } from 'zod';
import { revertBody } from './history-routes.ts';
import * as res from './response-schemas.ts';
import { auditQuery, createBody, eventsQuery, patchBody, pauseBody, replayQuery, runsQuery, streamQuery } from './schemas.ts';

type Access = 'open' | 'viewer' | 'operator';

interface Operation {
  method: 'get' | 'post' | 'patch' | 'delete';
  path: string;
  summary: string;
  access: Access;
  query?: z.ZodObject;
  body?: z.ZodType;
  ok: { status: number; description: string; schema?: z.ZodType; type?: string };
  errors?: number[];
}

const tenantPath = '/api/schedules/{tenant}';

// Every route, described once; the OpenAPI document and the docs page are built from it.
export const OPERATIONS: Operation[] = [
  { method: 'get', path: '/api/schedules', summary: 'List the schedules', access: 'viewer', ok: { status: 200, description: 'the schedules', schema: res.schedulesSchema } },
  { method: 'post', path: '/api/schedules', summary: 'Create a schedule (tenant is trimmed and lowercased)', access: 'operator', body: createBody, ok: { status: 201, description: 'the schedule', schema: res.scheduleSchema }, errors: [400, 409, 413, 415] },
  { method: 'get', path: tenantPath, summary: 'One schedule', access: 'viewer', ok: { status: 200, description: 'the schedule', schema: res.scheduleSchema }, errors: [404] },
  { method: 'patch', path: tenantPath, summary: 'Change its settings (same flat fields as create)', access: 'operator', body: patchBody, ok: { status: 200, description: 'the schedule', schema: res.scheduleSchema }, errors: [400, 404, 413, 415] },
  { method: 'delete', path: tenantPath, summary: 'Delete it', access: 'operator', ok: { status: 204, description: 'deleted' }, errors: [404] },
  { method: 'post', path: `${tenantPath}/pause`, summary: 'Pause it (a paused schedule stays paused; 200 either way)', access: 'operator', body: pauseBody, ok: { status: 200, description: 'the schedule', schema: res.scheduleSchema }, errors: [400, 404] },
  { method: 'post', path: `${tenantPath}/resume`, summary: 'Resume it', access: 'operator', ok: { status: 200, description: 'the schedule', schema: res.scheduleSchema }, errors: [404] },
  { method: 'post', path: `${tenantPath}/run`, summary: 'Run it now', access: 'operator', ok: { status: 202, description: 'the run was started', schema: res.runAcceptedSchema }, errors: [404, 409] },
  { method: 'get', path: `${tenantPath}/history`, summary: 'Every version of its settings, oldest first, with who, when and the diff', access: 'viewer', ok: { status: 200, description: 'the versions', schema: res.historySchema }, errors: [404] },
  { method: 'post', path: `${tenantPath}/revert`, summary: 'Restore the settings it had at one of its versions', access: 'operator', body: revertBody, ok: { status: 200, description: 'the schedule', schema: res.scheduleSchema }, errors: [400, 404] },
  { method: 'get', path: '/api/audit', summary: 'Audit entries, newest first', access: 'viewer', query: auditQuery, ok: { status: 200, description: 'the entries', schema: res.auditSchema }, errors: [400] },
  { method: 'get', path: '/api/runs', summary: 'Recent runs, newest first', access: 'viewer', query: runsQuery, ok: { status: 200, description: 'the runs', schema: res.runsSchema }, errors: [400] },
  { method: 'get', path: '/api/session', summary: 'Who this caller is signed in as (the UI hides what the role may not do)', access: 'viewer', ok: { status: 200, description: 'the caller', schema: res.sessionSchema } },
  { method: 'get', path: '/api/summary', summary: 'The NOC summary', access: 'viewer', ok: { status: 200, description: 'the summary', schema: res.summarySchema } },
  { method: 'get', path: '/api/events', summary: 'A page of the journal in seq order (polling, replay, export)', access: 'viewer', query: eventsQuery, ok: { status: 200, description: 'the events and the journal\'s last seq', schema: res.eventsSchema }, errors: [400] },
  { method: 'get', path: '/api/events/stream', summary: 'Server-Sent Events: `id: seq`, `event: type`, `data: envelope`; resumes from Last-Event-ID (wins) or ?after=', access: 'viewer', query: streamQuery, ok: { status: 200, description: 'the stream', type: 'text/event-stream' }, errors: [400] },
  { method: 'get', path: '/api/replay', summary: 'The projections as of a seq or an instant (give exactly one)', access: 'viewer', query: replayQuery, ok: { status: 200, description: 'the state then', schema: res.replaySchema }, errors: [400] },
  { method: 'get', path: '/api/health', summary: 'Liveness and journal position (no token needed); 503 {status: "starting", replayed, elapsedMs} while the server opens its store', access: 'open', ok: { status: 200, description: 'healthy', schema: res.healthSchema } },
  { method: 'get', path: '/metrics', summary: 'Prometheus metrics', access: 'viewer', ok: { status: 200, description: 'text format 0.0.4', type: 'text/plain; version=0.0.4' } },
];

const jsonSchema = (schema: z.ZodType, io: 'input' | 'output') => z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' });

const STATUS_TEXT: Record<number, string> = {
  400: 'the request is not valid; `errors` names each field',
  401: 'no valid token or session',
  403: 'not allowed (role, x-ops header, host or origin)',
  404: 'no such schedule or version',
  405: 'method not allowed here (see Allow)',
  409: 'conflict with the current state',
  413: 'body over 64 kB',
  415: 'body is not JSON',
};

const parametersOf = (op: Operation) => {
  const params: object[] = [];
  if (op.path.includes('{tenant}')) params.push({ name: 'tenant', in: 'path', required: true, schema: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,62}$' } });
  for (const [name, field] of Object.entries(op.query?.shape ?? {})) {
    params.push({ name, in: 'query', required: false, schema: jsonSchema(field as z.ZodType, 'output') });
  }
  if (op.path === '/api/events/stream') params.push({ name: 'Last-Event-ID', in: 'header', required: false, schema: { type: 'string' } });
  return params;
};

let cached: object | undefined;

export const openApiDocument = (): object => {
  if (cached) return cached;
  const paths: Record<string, Record<string, object>> = {};
  for (const op of OPERATIONS) {
    const problem = { content: { 'application/problem+json': { schema: jsonSchema(res.problemSchema, 'output') } } };
    const responses: Record<string, object> = {
      [op.ok.status]: {
        description: op.ok.description,
        ...(op.ok.schema ? { content: { 'application/json': { schema: jsonSchema(op.ok.schema, 'output') } } } : {}),
        ...(op.ok.type ? { content: { [op.ok.type]: { schema: { type: 'string' } } } } : {}),
      },
    };
    const errors = new Set([...(op.errors ?? []), ...(op.access === 'open' ? [] : [401, 403])]);
    for (const status of [...errors].sort()) responses[status] = { description: STATUS_TEXT[status] ?? 'error', ...problem };
    const operation: Record<string, unknown> = {
      summary: op.summary,
      operationId: `${op.method}${op.path.replace(/[{}]/g, '').replace(/[/-](\w)/g, (_, ch: string) => ch.toUpperCase())}`,
      parameters: parametersOf(op),
      responses,
      'x-role': op.access,
    };
    if (op.access === 'open') operation.security = [];
    if (op.method !== 'get') operation.parameters = [...parametersOf(op), { name: 'x-ops', in: 'header', required: true, schema: { const: '1' } }];
    if (op.body) operation.requestBody = { required: op.body !== pauseBody, content: { 'application/json': { schema: jsonSchema(op.body, 'input') } } };
    (paths[op.path] ??= {})[op.method] = operation;
  }
  cached = {
    openapi: '3.1.0',
    info: {
      title: 'Command Center API',
      version: '1',
      description: 'Schedules and watches recurring AccuLynx imports. Every change is an event in a journal; reads are projections of it.',
    },
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'a viewer or operator token' },
        session: { type: 'apiKey', in: 'cookie', name: 'cc_session', description: 'set by /login?token=…' },
      },
    },
    security: [{ bearer: [] }, { session: [] }],
    paths,
  };
  return cached;
};
