import { unavailable } from '../domain/errors.ts';
import type { Logger } from '../logger.ts';
import type { Scheduler, SchedulerState } from '../scheduler/scheduler.ts';
import type { Origin } from '../service.ts';
import type { LeaderLease } from './leader-lease.ts';
import type { RunRelay } from './run-relay.ts';

export interface LeaderSchedulerOptions {
  lease: LeaderLease;
  // a fresh scheduler each time this instance becomes the leader (a stopped one stays stopped)
  create: () => Scheduler;
  log: Logger;
  // how long a scheduler losing the lease lets its runs finish
  stepDownGraceMs?: number;
  // "run now" asked of an instance that is not the leader goes to the leader (run-relay.ts)
  relay?: RunRelay;
}

const IDLE: SchedulerState = { state: 'stopped', lastTickAt: null, nextDueAt: null, lagMs: 0, inFlight: 0, queued: 0 };

// Runs the scheduler only while this instance holds the leader lease: started when it
// becomes the leader, stopped when it stops being one. Every instance still serves the
// API and streams; only the leader fires runs. Should two instances ever both believe
// they lead (a paused process waking up), the events table's unique key on the due time
// lets only one run start.
export const leaderScheduler = (options: LeaderSchedulerOptions): Scheduler & { readonly leading: boolean } => {
  const { lease, log } = options;
  let current: Scheduler | undefined;
  let stopServing: (() => Promise<void>) | undefined;
  let stopped = false;
  let transitions: Promise<void> = Promise.resolve();
  let unsubscribe: () => void = () => {};

  const follow = (leader: boolean) => {
    transitions = transitions
      .then(async () => {
        if (stopped) return;
        if (leader && !current) {
          const next = options.create();
          current = next;
          await next.start();
          stopServing = options.relay?.serve((tenant, origin) => next.runNow(tenant, origin));
          log.info('scheduler started: this instance leads', { holder: lease.holder });
        } else if (!leader && current) {
          const previous = current;
          current = undefined;
          await stopServing?.();
          stopServing = undefined;
          await previous.stop(options.stepDownGraceMs ?? 2_000);
          log.info('scheduler stopped: another instance leads', { holder: lease.holder });
        }
      })
      .catch((error: unknown) => log.error('scheduler could not follow the leadership change', { error: (error as Error)?.stack ?? String(error) }));
  };

  return {
    get leading() {
      return current !== undefined;
    },
    async start() {
      unsubscribe = lease.onChange(follow);
      follow(lease.isLeader);
      await transitions;
    },
    async stop(graceMs?: number) {
      stopped = true;
      unsubscribe();
      await transitions;
      const last = current;
      current = undefined;
      await stopServing?.();
      stopServing = undefined;
      await last?.stop(graceMs);
    },
    runNow(tenant, origin) {
      if (current && current.state().state === 'running') return current.runNow(tenant, origin);
      if (options.relay) return options.relay.ask(tenant, origin);
      return Promise.reject(unavailable('runs start on the leader instance, and this one is not it right now; try again in a few seconds'));
    },
    state() {
      return current?.state() ?? IDLE;
    },
  };
};
