import { z } from 'zod';
import { errorClass, eventData, policy, runnerName, SYSTEM_TENANT, trigger } from './events.ts';
import { scheduleSpec } from './spec.ts';
import { tenantSlug } from './tenant.ts';

const isoTime = z.string().datetime({ offset: false });

// How a run ended, as the scheduler reports it.
export const runOutcome = z.discriminatedUnion('status', [
  z.object({ status: z.literal('succeeded'), result: eventData['run.succeeded'].shape.result }),
  z.object({
    status: z.literal('failed'),
    error: z.string(),
    errorClass,
    attempt: z.number().int().positive(),
    willRetry: z.boolean(),
    retryAt: isoTime.optional(),
    notBefore: isoTime.optional(),
  }),
]);
export type RunOutcome = z.infer<typeof runOutcome>;

export const command = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('CreateSchedule'),
    tenant: tenantSlug,
    spec: scheduleSpec,
    runner: runnerName,
    policy: policy.optional(),
    paused: z.boolean().optional(),
  }),
  z.object({
    type: z.literal('UpdateSchedule'),
    tenant: tenantSlug,
    spec: scheduleSpec.optional(),
    runner: runnerName.optional(),
    policy: policy.optional(),
    revertedTo: z.number().int().positive().optional(),
  }),
  z.object({ type: z.literal('PauseSchedule'), tenant: tenantSlug, reason: z.string().optional(), until: isoTime.optional() }),
  z.object({ type: z.literal('ResumeSchedule'), tenant: tenantSlug }),
  z.object({ type: z.literal('DeleteSchedule'), tenant: tenantSlug }),
  z.object({
    type: z.literal('StartRun'),
    tenant: tenantSlug,
    runId: z.string(),
    trigger,
    scheduledFor: isoTime,
    attempt: z.number().int().positive(),
  }),
  z.object({
    type: z.literal('FinishRun'),
    tenant: tenantSlug,
    runId: z.string(),
    durationMs: z.number().nonnegative(),
    outcome: runOutcome,
  }),
  z.object({
    type: z.literal('SkipRun'),
    tenant: tenantSlug,
    scheduledFor: isoTime,
    reason: z.enum(['overlap', 'missed']),
    count: z.number().int().positive(),
    through: isoTime.optional(),
  }),
  // retention deleted archived events; recorded so verify can prove what was cut
  z.object({ type: z.literal('RecordPrune'), tenant: z.literal(SYSTEM_TENANT), ...eventData['journal.pruned'].shape }),
]);

export type Command = z.infer<typeof command>;
export type CommandOf<T extends Command['type']> = Extract<Command, { type: T }>;
