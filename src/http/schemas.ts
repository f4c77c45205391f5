import { z } from 'zod';
import { EVENT_TYPES, runnerName } from '../core/domain/events.ts';
import { cronSpec, intervalSpec, type ScheduleSpec } from '../core/domain/spec.ts';
import { tenantInput } from '../core/domain/tenant.ts';

const policyFields = {
  timeoutSeconds: z.number().int().min(1).max(24 * 3600).optional(),
  maxAttempts: z.number().int().min(1).max(20).optional(),
  catchupSeconds: z.number().int().min(0).max(30 * 24 * 3600).optional(),
  freshnessSeconds: z.number().int().min(10).max(90 * 24 * 3600).optional(),
};

const specFields = {
  every: intervalSpec.shape.every.optional(),
  cron: cronSpec.shape.cron.optional(),
  timezone: cronSpec.shape.timezone.optional(),
};

type SpecFields = { every?: number | undefined; cron?: string | undefined; timezone?: string | undefined };

const checkSpec = (v: SpecFields, ctx: z.RefinementCtx, required: boolean) => {
  if (v.every !== undefined && v.cron !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['cron'], message: 'give either every or cron, not both' });
  } else if (required && v.every === undefined && v.cron === undefined) {
    ctx.addIssue({ code: 'custom', path: ['every'], message: 'every (seconds) or cron is required' });
  }
  if (v.timezone !== undefined && v.cron === undefined) {
    ctx.addIssue({ code: 'custom', path: ['timezone'], message: 'timezone goes with cron' });
  }
};

export const specOf = (v: SpecFields): ScheduleSpec | undefined =>
  v.every !== undefined ? { every: v.every } : v.cron !== undefined ? { cron: v.cron, timezone: v.timezone ?? 'UTC' } : undefined;

export const policyOf = (v: Record<string, unknown>) => {
  const policy: Record<string, number> = {};
  for (const key of Object.keys(policyFields)) if (typeof v[key] === 'number') policy[key] = v[key];
  return policy;
};

export const createBody = z
  .strictObject({ tenant: tenantInput, ...specFields, paused: z.boolean().optional(), runner: runnerName.optional(), ...policyFields })
  .superRefine((v, ctx) => checkSpec(v, ctx, true));

export const patchBody = z
  .strictObject({ ...specFields, runner: runnerName.optional(), ...policyFields })
  .superRefine((v, ctx) => checkSpec(v, ctx, false));

export const pauseBody = z.strictObject({
  reason: z.string().max(500, 'reason must be at most 500 characters').optional(),
  until: z.string().datetime({ offset: true, message: 'until must be an ISO-8601 time, e.g. 2026-11-25T08:00:00Z' }).optional(),
});

export const tenantParam = tenantInput;

const limit = (max: number, fallback: number) =>
  z.coerce.number({ error: 'limit must be a number' }).int('limit must be a whole number').min(1, 'limit must be at least 1').max(max, `limit must be at most ${max}`).default(fallback);

const seq = z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(0, 'must be 0 or more');

export const auditQuery = z.object({ limit: limit(100, 100), tenant: tenantInput.optional() });
export const runsQuery = z.object({ limit: limit(500, 100), tenant: tenantInput.optional() });
export const eventsQuery = z.object({
  after: seq.default(0),
  limit: limit(1000, 100),
  tenant: tenantInput.optional(),
  type: z.enum(EVENT_TYPES as [string, ...string[]], { error: `type must be one of ${EVENT_TYPES.join(', ')}` }).optional(),
});
export const streamQuery = z.object({ after: seq.optional() });
export const replayQuery = z
  .object({
    seq: seq.optional(),
    at: z.string().datetime({ offset: true, message: 'at must be an ISO-8601 time, e.g. 2026-11-25T08:00:00Z' }).optional(),
  })
  .superRefine((v, ctx) => {
    if (v.seq !== undefined && v.at !== undefined) ctx.addIssue({ code: 'custom', path: ['at'], message: 'give seq or at, not both' });
    if (v.seq === undefined && v.at === undefined) ctx.addIssue({ code: 'custom', path: ['seq'], message: 'seq or at is required' });
  });
