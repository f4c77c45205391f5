import { z } from 'zod';
import { ERROR_CLASSES, envelope, policy, RUNNERS, TRIGGERS } from '../core/domain/events.ts';
import { scheduleSpec } from '../core/domain/spec.ts';

// What the API answers, described for the OpenAPI document (and so for generated clients).
// Objects are open: the server may add fields, as the event contract allows.

const iso = z.string().describe('ISO-8601 UTC time with milliseconds');

export const asOfSchema = z.object({ seq: z.number().int(), ts: iso.nullable() }).describe('the last event the answer includes');

export const problemSchema = z
  .looseObject({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  })
  .describe('RFC 9457 problem details (application/problem+json)');

export const scheduleSchema = z.looseObject({
  tenant: z.string(),
  spec: scheduleSpec,
  runner: z.enum(RUNNERS),
  policy,
  status: z.enum(['OK', 'PAUSED', 'ERROR']),
  paused: z.boolean(),
  pause: z.object({ reason: z.string().optional(), by: z.string(), at: iso, until: iso.optional() }).optional(),
  createdAt: iso,
  updatedAt: iso,
  version: z.number().int().describe('seq of the last change of settings'),
  nextRunAt: iso.nullable(),
  running: z.looseObject({ runId: z.string(), trigger: z.enum(TRIGGERS), scheduledFor: iso, startedAt: iso, attempt: z.number().int() }).optional(),
  lastRun: z.looseObject({ runId: z.string(), outcome: z.enum(['succeeded', 'failed']), at: iso, durationMs: z.number() }).optional(),
  lastSuccessAt: iso.optional(),
  stale: z.boolean(),
  runCount: z.number().int(),
  failureCount: z.number().int(),
  consecutiveFailures: z.number().int(),
});

export const auditEntrySchema = z.object({
  seq: z.number().int(),
  ts: iso,
  tenant: z.string(),
  operation: z.string(),
  source: z.string(),
  actor: z.string(),
  metadata: z.record(z.string(), z.unknown()),
});

export const runSchema = z.looseObject({
  runId: z.string(),
  tenant: z.string(),
  trigger: z.enum(TRIGGERS),
  attempt: z.number().int(),
  scheduledFor: iso,
  startedAt: iso,
  outcome: z.enum(['running', 'succeeded', 'failed']),
  finishedAt: iso.optional(),
  durationMs: z.number().optional(),
  errorClass: z.enum(ERROR_CLASSES).optional(),
});

export const sessionSchema = z.object({
  role: z.enum(['viewer', 'operator']),
  name: z.string(),
  source: z.enum(['ui', 'api']),
  via: z.enum(['bearer', 'cookie', 'open']),
});

export const summarySchema = z.looseObject({
  tenants: z.number().int(),
  ok: z.number().int(),
  paused: z.number().int(),
  error: z.number().int(),
  running: z.number().int(),
  stale: z.number().int(),
  lastEvent: z.object({ seq: z.number().int(), ts: iso, tenant: z.string(), operation: z.string() }).nullable(),
  asOf: asOfSchema,
});

export const settingsSchema = z.object({
  every: z.number().int().optional(),
  cron: z.string().optional(),
  timezone: z.string().optional(),
  runner: z.enum(RUNNERS),
  timeoutSeconds: z.number().int().optional(),
  maxAttempts: z.number().int().optional(),
  catchupSeconds: z.number().int().optional(),
  freshnessSeconds: z.number().int().optional(),
});

export const historySchema = z.object({
  tenant: z.string(),
  versions: z.array(
    z.object({
      seq: z.number().int(),
      ts: iso,
      actor: z.string(),
      source: z.string(),
      settings: settingsSchema,
      diff: z.array(z.object({ field: z.string(), from: z.unknown(), to: z.unknown() })),
      revertedTo: z.number().int().optional(),
    }),
  ),
});

export const schedulesSchema = z.object({ asOf: asOfSchema, schedules: z.array(scheduleSchema) });
export const auditSchema = z.object({ asOf: asOfSchema, entries: z.array(auditEntrySchema) });
export const runsSchema = z.object({ asOf: asOfSchema, runs: z.array(runSchema) });
export const eventsSchema = z.object({ events: z.array(envelope), lastSeq: z.number().int() });
export const replaySchema = z.object({ asOf: asOfSchema, schedules: z.array(scheduleSchema), audit: z.array(auditEntrySchema), summary: summarySchema });
export const healthSchema = z.looseObject({ status: z.string(), seq: z.number().int(), store: z.string(), leader: z.boolean().optional() });
export const runAcceptedSchema = z.object({ runId: z.string() });
