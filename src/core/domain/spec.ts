import { Cron } from 'croner';
import { z } from 'zod';

export const MIN_EVERY_SECONDS = 10;
export const MAX_EVERY_SECONDS = 7 * 24 * 3600;

export const intervalSpec = z.object({
  every: z
    .number({ error: 'every must be a number of seconds' })
    .int('every must be a whole number of seconds')
    .min(MIN_EVERY_SECONDS, `every must be at least ${MIN_EVERY_SECONDS} seconds`)
    .max(MAX_EVERY_SECONDS, `every must be at most ${MAX_EVERY_SECONDS} seconds (7 days)`),
});

export const isValidTimezone = (zone: string): boolean => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
};

export const cronProblem = (expression: string): string | undefined => {
  if (expression.trim().split(/\s+/).length !== 5) return 'cron must have 5 fields: minute hour day-of-month month day-of-week';
  try {
    new Cron(expression, { paused: true });
    return undefined;
  } catch (error) {
    return `cron is not valid: ${(error as Error).message}`;
  }
};

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
export type IntervalSpec = z.infer<typeof intervalSpec>;
export type CronSpec = z.infer<typeof cronSpec>;
export type ScheduleSpec = z.infer<typeof scheduleSpec>;

export const isInterval = (spec: ScheduleSpec): spec is IntervalSpec => 'every' in spec;

export const specLabel = (spec: ScheduleSpec): string =>
  isInterval(spec) ? `every ${spec.every}s` : `${spec.cron} (${spec.timezone})`;
