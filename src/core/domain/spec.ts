import { z } from 'zod';
import { cronProblem, isValidTimezone, MAX_EVERY_SECONDS, MIN_EVERY_SECONDS } from './spec-rules.ts';

export const intervalSpec = z.object({
  every: z
    .number({ error: 'every must be a number of seconds' })
    .int('every must be a whole number of seconds')
    .min(MIN_EVERY_SECONDS, `every must be at least ${MIN_EVERY_SECONDS} seconds`)
    .max(MAX_EVERY_SECONDS, `every must be at most ${MAX_EVERY_SECONDS} seconds (7 days)`),
});

export const cronSpec = z.object({
  cron: z.string({ error: 'cron must be a string' }).superRefine((value, ctx) => {
    const problem = cronProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  }),
  timezone: z
    .string({ error: 'timezone must be an IANA time zone name' })
    .refine(isValidTimezone, { message: 'timezone is not a known IANA time zone (e.g. America/Denver)' }),
});

export const scheduleSpec = z.union([intervalSpec, cronSpec]);
export type { CronSpec, IntervalSpec, ScheduleSpec } from './spec-rules.ts';
