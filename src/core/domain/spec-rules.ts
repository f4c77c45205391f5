import { Cron } from 'croner';

// The schedule-spec rules without zod, so the UI can share them without shipping a validator.
// spec.ts builds the server's zod schemas from these.

export const MIN_EVERY_SECONDS = 10;
export const MAX_EVERY_SECONDS = 7 * 24 * 3600;

export interface IntervalSpec {
  every: number;
}
export interface CronSpec {
  cron: string;
  timezone: string;
}
export type ScheduleSpec = IntervalSpec | CronSpec;

export const isInterval = (spec: ScheduleSpec): spec is IntervalSpec => 'every' in spec;

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
