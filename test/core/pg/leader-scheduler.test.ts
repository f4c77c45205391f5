import { describe, expect, it } from 'vitest';
import { DomainError } from '../../../src/core/domain/errors.ts';
import { silentLogger } from '../../../src/core/logger.ts';
import type { LeaderLease } from '../../../src/core/pg/leader-lease.ts';
import { leaderScheduler } from '../../../src/core/pg/leader-scheduler.ts';
import type { Scheduler, SchedulerState } from '../../../src/core/scheduler/scheduler.ts';

const fakeLease = (initially: boolean) => {
  const listeners = new Set<(v: boolean) => void>();
  let leader = initially;
  const lease: LeaderLease & { set(v: boolean): void } = {
    holder: 'me',
    get isLeader() {
      return leader;
    },
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    stop: async () => {},
    set(v) {
      leader = v;
      for (const l of listeners) l(v);
    },
  };
  return lease;
};

const fakeSchedulers = () => {
  const made: Array<{ log: string[] } & Scheduler> = [];
  const create = () => {
    const log: string[] = [];
    let state: SchedulerState['state'] = 'stopped';
    const s = {
      log,
      start: async () => {
        log.push('start');
        state = 'running';
      },
      stop: async (grace?: number) => {
        log.push(`stop ${grace}`);
        state = 'stopped';
      },
      runNow: async (tenant: string) => ({ runId: `run-of-${tenant}-by-${made.indexOf(s)}` }),
      state: () => ({ state, lastTickAt: null, nextDueAt: null, lagMs: 0, inFlight: 0, queued: 0 }),
    };
    made.push(s);
    return s;
  };
  return { made, create };
};

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));
const origin = { source: 'api' as const, actor: 'operator' };

describe('leader scheduler', () => {
  it('runs a fresh scheduler for each term as leader, and none in between', async () => {
    const lease = fakeLease(false);
    const { made, create } = fakeSchedulers();
    const scheduler = leaderScheduler({ lease, create, log: silentLogger, stepDownGraceMs: 100 });
    await scheduler.start();
    expect(made).toHaveLength(0);
    lease.set(true);
    await settle();
    lease.set(false);
    await settle();
    lease.set(true);
    await settle();
    expect(made.map((s) => s.log)).toEqual([['start', 'stop 100'], ['start']]);
    expect(scheduler.state().state).toBe('running');
    await scheduler.stop(5_000);
    expect(made[1]!.log).toEqual(['start', 'stop 5000']);
    lease.set(true);
    await settle();
    expect(made).toHaveLength(2);
  });

  it('starts run now on the leader and refuses it elsewhere with "unavailable"', async () => {
    const lease = fakeLease(true);
    const { create } = fakeSchedulers();
    const scheduler = leaderScheduler({ lease, create, log: silentLogger });
    await scheduler.start();
    expect(await scheduler.runNow('acme-roofing', origin)).toEqual({ runId: 'run-of-acme-roofing-by-0' });
    lease.set(false);
    await settle();
    const refused = await scheduler.runNow('acme-roofing', origin).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(DomainError);
    expect((refused as DomainError).code).toBe('unavailable');
    expect(scheduler.state().state).toBe('stopped');
  });

  it('hands run now to the relay when it is not the leader', async () => {
    const lease = fakeLease(false);
    const { create } = fakeSchedulers();
    const asked: string[] = [];
    const scheduler = leaderScheduler({
      lease,
      create,
      log: silentLogger,
      relay: {
        ask: async (tenant) => {
          asked.push(tenant);
          return { runId: 'relayed' };
        },
        serve: () => async () => {},
      },
    });
    await scheduler.start();
    expect(await scheduler.runNow('acme-roofing', origin)).toEqual({ runId: 'relayed' });
    expect(asked).toEqual(['acme-roofing']);
  });
});
