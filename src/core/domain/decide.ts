import type { Command, CommandOf } from './commands.ts';
import { conflict, notFound } from './errors.ts';
import type { Draft } from './events.ts';
import type { Schedule } from './schedule.ts';

// decide(command, schedule) → the events that record it. A command that would change
// nothing returns no events; the caller then answers with the current state.
// Only the command's own tenant matters: at most one schedule per tenant.

const mustExist = (tenant: string, s: Schedule | undefined): Schedule => {
  if (!s) throw notFound(`no schedule for tenant "${tenant}"`);
  return s;
};

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

const create = (c: CommandOf<'CreateSchedule'>, s: Schedule | undefined): Draft[] => {
  if (s) throw conflict(`a schedule for tenant "${c.tenant}" already exists`);
  const data: Extract<Draft, { type: 'schedule.created' }>['data'] = { spec: c.spec, runner: c.runner };
  if (c.policy && Object.keys(c.policy).length > 0) data.policy = c.policy;
  const events: Draft[] = [{ type: 'schedule.created', tenant: c.tenant, data }];
  if (c.paused) events.push({ type: 'schedule.paused', tenant: c.tenant, data: { reason: 'created paused' } });
  return events;
};

const update = (c: CommandOf<'UpdateSchedule'>, current: Schedule | undefined): Draft[] => {
  const s = mustExist(c.tenant, current);
  const data: Extract<Draft, { type: 'schedule.updated' }>['data'] = {};
  if (c.spec && !same(c.spec, s.spec)) data.spec = c.spec;
  if (c.runner && c.runner !== s.runner) data.runner = c.runner;
  if (c.policy) {
    // a revert restores the whole policy; a change merges into it
    const merged = c.revertedTo !== undefined ? c.policy : { ...s.policy, ...c.policy };
    if (!same(merged, s.policy)) data.policy = merged;
  }
  if (Object.keys(data).length === 0) return [];
  if (c.revertedTo) data.revertedTo = c.revertedTo;
  return [{ type: 'schedule.updated', tenant: c.tenant, data }];
};

const pause = (c: CommandOf<'PauseSchedule'>, current: Schedule | undefined): Draft[] => {
  const s = mustExist(c.tenant, current);
  if (s.paused) return [];
  const data: Extract<Draft, { type: 'schedule.paused' }>['data'] = {};
  if (c.reason) data.reason = c.reason;
  if (c.until) data.until = c.until;
  return [{ type: 'schedule.paused', tenant: c.tenant, data }];
};

const resume = (c: CommandOf<'ResumeSchedule'>, current: Schedule | undefined): Draft[] => {
  const s = mustExist(c.tenant, current);
  return s.paused ? [{ type: 'schedule.resumed', tenant: c.tenant, data: {} }] : [];
};

const remove = (c: CommandOf<'DeleteSchedule'>, current: Schedule | undefined): Draft[] => {
  mustExist(c.tenant, current);
  return [{ type: 'schedule.deleted', tenant: c.tenant, data: {} }];
};

const startRun = (c: CommandOf<'StartRun'>, current: Schedule | undefined): Draft[] => {
  const s = mustExist(c.tenant, current);
  if (s.running) throw conflict(`tenant "${c.tenant}" has a run in progress (${s.running.runId})`);
  return [
    {
      type: 'run.started',
      tenant: c.tenant,
      data: { runId: c.runId, trigger: c.trigger, scheduledFor: c.scheduledFor, attempt: c.attempt },
    },
  ];
};

// Recorded even when the schedule was deleted (or deleted and created again) while the run
// was going: the run happened. The projection ignores a finish for a run it does not hold.
const finishRun = (c: CommandOf<'FinishRun'>): Draft[] => {
  const { outcome } = c;
  if (outcome.status === 'succeeded') {
    const data: Extract<Draft, { type: 'run.succeeded' }>['data'] = { runId: c.runId, durationMs: c.durationMs };
    if (outcome.result) data.result = outcome.result;
    return [{ type: 'run.succeeded', tenant: c.tenant, data }];
  }
  const data: Extract<Draft, { type: 'run.failed' }>['data'] = {
    runId: c.runId,
    durationMs: c.durationMs,
    error: outcome.error,
    errorClass: outcome.errorClass,
    attempt: outcome.attempt,
    willRetry: outcome.willRetry,
  };
  if (outcome.retryAt) data.retryAt = outcome.retryAt;
  if (outcome.notBefore) data.notBefore = outcome.notBefore;
  return [{ type: 'run.failed', tenant: c.tenant, data }];
};

const skipRun = (c: CommandOf<'SkipRun'>, current: Schedule | undefined): Draft[] => {
  mustExist(c.tenant, current);
  const data: Extract<Draft, { type: 'run.skipped' }>['data'] = { scheduledFor: c.scheduledFor, reason: c.reason, count: c.count };
  if (c.through) data.through = c.through;
  return [{ type: 'run.skipped', tenant: c.tenant, data }];
};

export const decide = (c: Command, s: Schedule | undefined): Draft[] => {
  switch (c.type) {
    case 'CreateSchedule':
      return create(c, s);
    case 'UpdateSchedule':
      return update(c, s);
    case 'PauseSchedule':
      return pause(c, s);
    case 'ResumeSchedule':
      return resume(c, s);
    case 'DeleteSchedule':
      return remove(c, s);
    case 'StartRun':
      return startRun(c, s);
    case 'FinishRun':
      return finishRun(c);
    case 'SkipRun':
      return skipRun(c, s);
    case 'RecordPrune':
      return [{ type: 'journal.pruned', tenant: c.tenant, data: { fromSeq: c.fromSeq, toSeq: c.toSeq, count: c.count, boundaryHash: c.boundaryHash } }];
    default: {
      const unreachable: never = c;
      return unreachable;
    }
  }
};
