import { z } from 'zod';
import { scheduleSpec } from './spec.ts';

export const SOURCES = ['ui', 'api', 'cli', 'scheduler'] as const;
export const source = z.enum(SOURCES);
export type Source = z.infer<typeof source>;

export const RUNNERS = ['demo', 'http'] as const;
export const runnerName = z.enum(RUNNERS);
export type RunnerName = z.infer<typeof runnerName>;

export const ERROR_CLASSES = ['auth', 'rate-limit', 'timeout', 'remote', 'network', 'internal'] as const;
export const errorClass = z.enum(ERROR_CLASSES);
export type ErrorClass = z.infer<typeof errorClass>;

export const TRIGGERS = ['scheduled', 'manual', 'catchup', 'retry'] as const;
export const trigger = z.enum(TRIGGERS);
export type Trigger = z.infer<typeof trigger>;

// Per-schedule knobs; absent means "the server default".
export const policy = z.object({
  timeoutSeconds: z.number().int().min(1).max(24 * 3600).optional(),
  maxAttempts: z.number().int().min(1).max(20).optional(),
  catchupSeconds: z.number().int().min(0).max(30 * 24 * 3600).optional(),
  freshnessSeconds: z.number().int().min(10).max(90 * 24 * 3600).optional(),
});
export type Policy = z.infer<typeof policy>;

const isoTime = z.string().datetime({ offset: false });

export const eventData = {
  'schedule.created': z.object({ spec: scheduleSpec, runner: runnerName, policy: policy.optional() }),
  'schedule.updated': z.object({
    spec: scheduleSpec.optional(),
    runner: runnerName.optional(),
    policy: policy.optional(),
    revertedTo: z.number().int().positive().optional(),
  }),
  'schedule.paused': z.object({ reason: z.string().optional(), until: isoTime.optional() }),
  'schedule.resumed': z.object({}),
  'schedule.deleted': z.object({}),
  'run.started': z.object({ runId: z.string(), trigger, scheduledFor: isoTime, attempt: z.number().int().positive() }),
  'run.succeeded': z.object({
    runId: z.string(),
    durationMs: z.number().nonnegative(),
    result: z.object({ imported: z.number().optional(), watermark: z.unknown().optional() }).passthrough().optional(),
  }),
  'run.failed': z.object({
    runId: z.string(),
    durationMs: z.number().nonnegative(),
    error: z.string(),
    errorClass,
    attempt: z.number().int().positive(),
    willRetry: z.boolean(),
    // when willRetry: the instant the next attempt is due
    retryAt: isoTime.optional(),
    // rate-limit: the CRM asked (Retry-After) not to be called before this instant; kept in the
    // journal so a restart does not call it early
    notBefore: isoTime.optional(),
  }),
  'run.skipped': z.object({
    scheduledFor: isoTime,
    reason: z.enum(['overlap', 'missed']),
    count: z.number().int().positive(),
    // the last due time this event skips, when it skips more than one (scheduledFor is the first)
    through: isoTime.optional(),
  }),
  // Archived events past the prune limit were deleted on purpose: seq fromSeq..toSeq, `count` of
  // them. boundaryHash is the chain's hash after toSeq, where the kept chain continues, so
  // verify proves what is kept unchanged and what was cut. Tenant: SYSTEM_TENANT.
  'journal.pruned': z.object({
    fromSeq: z.number().int().positive(),
    toSeq: z.number().int().positive(),
    count: z.number().int().positive(),
    boundaryHash: z.string().regex(/^[0-9a-f]{64}$/),
  }),
} as const;

// The tenant of events about the journal itself; no schedule can have it (slugs start with a
// letter or digit).
export const SYSTEM_TENANT = '_system';

export type EventType = keyof typeof eventData;
export const EVENT_TYPES = Object.keys(eventData) as EventType[];
export type EventData<T extends EventType> = z.infer<(typeof eventData)[T]>;

const envelopeBase = {
  seq: z.number().int().positive(),
  // the payload's schema version; absent means 1 (see upcast.ts)
  v: z.number().int().min(2).optional(),
  id: z.string().min(1),
  ts: isoTime,
  tenant: z.string().min(1),
  source,
  actor: z.string().min(1),
};

const variant = <T extends EventType>(type: T) =>
  z.object({ ...envelopeBase, type: z.literal(type), data: eventData[type] });

export const envelope = z.discriminatedUnion('type', [
  variant('schedule.created'),
  variant('schedule.updated'),
  variant('schedule.paused'),
  variant('schedule.resumed'),
  variant('schedule.deleted'),
  variant('run.started'),
  variant('run.succeeded'),
  variant('run.failed'),
  variant('run.skipped'),
  variant('journal.pruned'),
]);

export type Envelope = z.infer<typeof envelope>;
export type EnvelopeOf<T extends EventType> = Extract<Envelope, { type: T }>;

// What decide() produces: the journal assigns seq; the shell adds id, ts, source and actor.
export type Draft = { [T in EventType]: { type: T; tenant: string; data: EventData<T> } }[EventType];

// What the journal is asked to append.
export type Unsequenced = Omit<Envelope, 'seq'>;

export const isEventType = (value: string): value is EventType => value in eventData;
