import type { Envelope, EventType, Policy, RunnerName } from '../../../src/core/domain/events.ts';
import type { ScheduleSpec } from '../../../src/core/domain/spec.ts';
import { RunError, type Runner, type RunRequest, type RunResult } from '../../../src/core/runners/runner.ts';
import { JournalError } from '../../../src/core/journal/journal.ts';
import { createScheduler, type Scheduler, type SchedulerDeps } from '../../../src/core/scheduler/scheduler.ts';
import { CommandService, type Origin } from '../../../src/core/service.ts';
import { openMemoryStore } from '../../../src/core/store/memory-store.ts';
import type { Store } from '../../../src/core/store/store.ts';
import { delay } from '../../../src/core/timers.ts';
import { FakeTime } from './fake-time.ts';

// ids unique across every scheduler of a test file, as they would be with nanoid
let ids = 0;
let runs = 0;

export const OPERATOR: Origin = { source: 'api', actor: 'operator' };

// What a scripted runner does for one request: take `ms`, then succeed or fail.
export type Script = { ms: number; result?: RunResult; fail?: RunError; hang?: boolean };

export const scriptedRunner = (time: FakeTime, script: (req: RunRequest) => Script, name: RunnerName = 'demo') => {
  const calls: { req: RunRequest; at: number }[] = [];
  const runner: Runner = {
    name,
    run: async (req) => {
      calls.push({ req, at: time.now() });
      const step = script(req);
      if (step.hang) return new Promise<RunResult>(() => {});
      await delay(time, step.ms, req.signal);
      if (step.fail) throw step.fail;
      return step.result ?? { imported: 1 };
    },
  };
  return { runner, calls };
};

export const succeedAfter = (ms: number) => () => ({ ms });

export interface Harness {
  time: FakeTime;
  store: Store;
  service: CommandService;
  scheduler: Scheduler;
  create(tenant: string, spec: ScheduleSpec, policy?: Policy): Promise<void>;
  events<T extends EventType>(type?: T, tenant?: string): Promise<Extract<Envelope, { type: T }>[]>;
}

export const harness = (options: {
  start: string;
  runner: Runner;
  store?: Store;
  time?: FakeTime;
  scheduler?: Partial<SchedulerDeps>;
}): Harness => {
  const time = options.time ?? new FakeTime(options.start);
  const store = options.store ?? openMemoryStore();
  const service = new CommandService({ store, clock: time, newId: () => `e${++ids}` });
  const scheduler = createScheduler({
    store,
    service,
    clock: time,
    timers: time,
    runners: { demo: options.runner, http: options.runner },
    newId: () => `run-${++runs}`,
    ...options.scheduler,
  });
  return {
    time,
    store,
    service,
    scheduler,
    create: async (tenant, spec, policy) => {
      await service.execute({ type: 'CreateSchedule', tenant, spec, runner: 'demo', ...(policy ? { policy } : {}) }, OPERATOR);
    },
    events: async <T extends EventType>(type?: T, tenant?: string) => {
      const all = await store.journal.read({ after: 0, limit: Number.MAX_SAFE_INTEGER });
      return all.filter((e) => (type === undefined || e.type === type) && (tenant === undefined || e.tenant === tenant)) as Extract<
        Envelope,
        { type: T }
      >[];
    },
  };
};

export const fail = (errorClass: RunError['errorClass'], message = `${errorClass} failure`, retryAfterMs?: number) =>
  new RunError(errorClass, message, retryAfterMs === undefined ? {} : { retryAfterMs });

export const at = (iso: string) => Date.parse(iso);

// A memory store whose journal refuses appends that start with an event of `type`, the
// first `times` times, as a full disk or a database restart would ('unavailable').
export const failingAppends = (type: EventType, times: number, message = 'append failed: the journal is unavailable') => {
  const inner = openMemoryStore();
  let refused = 0;
  const journal = Object.create(inner.journal) as typeof inner.journal;
  journal.append = async (drafts) => {
    if (drafts[0]?.type === type && refused < times) {
      refused += 1;
      throw new JournalError(message, 'unavailable');
    }
    return inner.journal.append(drafts);
  };
  const store: Store = { ...inner, journal, projector: inner.projector };
  return { store, refused: () => refused };
};
