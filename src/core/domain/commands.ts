import { z } from 'zod';
import { policy, runnerName, trigger } from './events.ts';
import { scheduleSpec } from './spec.ts';
import { tenantSlug } from './tenant.ts';

const isoTime = z.string().datetime({ offset: false });

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
]);

export type Command = z.infer<typeof command>;
export type CommandOf<T extends Command['type']> = Extract<Command, { type: T }>;
