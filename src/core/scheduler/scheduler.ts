import { nanoid } from 'nanoid';
import type { Clock } from '../clock.ts';
import { catchupWindowMs, dueSpan, planMissed } from '../domain/catchup.ts';
import type { Command } from '../domain/commands.ts';
import { conflict, notFound, unavailable } from '../domain/errors.ts';
import type { Envelope, RunnerName, Trigger } from '../domain/events.ts';
import { DEFAULT_AUTH_FAILURES_BEFORE_PAUSE } from '../domain/run-policy.ts';
import { notBeforeMs, type Schedule } from '../domain/schedule.ts';
import { nextDue } from '../domain/timetable.ts';
import type { Subscription } from '../journal/journal.ts';
import { type Logger, silentLogger } from '../logger.ts';
import type { Runner } from '../runners/runner.ts';
import type { CommandService, Origin } from '../service.ts';
import type { Store } from '../store/store.ts';
import { systemTimers, type TimerHandle, type Timers } from '../timers.ts';
import { Heap } from './heap.ts';
import { Recorder, SCHEDULER } from './recorder.ts';
import { RunPool } from './run-pool.ts';
import { type Alarm, type AlarmKind, alarmBefore, isBusy, type Slot } from './slots.ts';

export interface SchedulerDeps {
  store: Store;
  service: CommandService;
  clock: Clock;
  timers?: Timers;
  runners: Partial<Record<RunnerName, Runner>>;
  log?: Logger;
  newId?: () => string;
  maxConcurrent?: number;
  authFailuresBeforePause?: number;
  // the longest the timer sleeps, so lastTickAt proves the scheduler alive even when idle
  heartbeatMs?: number;
}

export interface SchedulerState {
  state: 'running' | 'stopped';
  lastTickAt: string | null;
  nextDueAt: string | null;
  lagMs: number;
  inFlight: number;
  queued: number;
}

export interface Scheduler {
  start(): Promise<void>;
  stop(graceMs?: number): Promise<void>;
  runNow(tenant: string, origin: Origin): Promise<{ runId: string }>;
  state(): SchedulerState;
}

export const DEFAULT_MAX_CONCURRENT = 8;
export const DEFAULT_GRACE_MS = 8_000;

const iso = (ms: number) => new Date(ms).toISOString();
const timetableOf = (s: Schedule) => `${JSON.stringify(s.spec)}@${s.anchor}`;
// snapshots written before coveredUntil existed lack it
const coveredMs = (s: Schedule) => Date.parse(s.coveredUntil ?? s.anchor);

export const createScheduler = (deps: SchedulerDeps): Scheduler => new TimetableScheduler(deps);

// One timer for the nearest alarm over all tenants (a heap): due times, auto-resumes, and runs
// waiting for their retry or rate limit. What is due goes to the run pool (fair queue, global
// cap); every decision is recorded through the command service.
class TimetableScheduler implements Scheduler {
  private readonly clock: Clock;
  private readonly timers: Timers;
  private readonly log: Logger;
  private readonly newId: () => string;
  private readonly heartbeatMs: number;
  private readonly slots = new Map<string, Slot>();
  private readonly alarms = new Heap<Alarm>(alarmBefore);
  private readonly recorder: Recorder;
  private readonly pool: RunPool;
  private status: 'new' | 'starting' | 'running' | 'stopping' | 'stopped' = 'new';
  private stopping: Promise<void> | undefined;
  private subscription: Subscription | undefined;
  private timer: TimerHandle | undefined;
  private timerAt = Number.POSITIVE_INFINITY;
  private armQueued = false;
  private startedAt = 0;
  private lastTickAt: number | null = null;
  private lagMs = 0;

  constructor(private readonly deps: SchedulerDeps) {
    this.clock = deps.clock;
    this.timers = deps.timers ?? systemTimers;
    this.log = deps.log ?? silentLogger;
    this.newId = deps.newId ?? (() => nanoid());
    this.heartbeatMs = deps.heartbeatMs ?? 30_000;
    this.recorder = new Recorder(deps.service, this.timers, this.log);
    this.pool = new RunPool({
      store: deps.store,
      service: deps.service,
      clock: this.clock,
      timers: this.timers,
      log: this.log,
      newId: this.newId,
      runners: deps.runners,
      recorder: this.recorder,
      cap: deps.maxConcurrent ?? DEFAULT_MAX_CONCURRENT,
      authThreshold: deps.authFailuresBeforePause ?? DEFAULT_AUTH_FAILURES_BEFORE_PAUSE,
      wakeAt: (slot, at) => this.setAlarm(slot, 'wait', at),
      unwake: (slot) => this.cancel(slot, 'wait'),
      accepting: () => this.status === 'running',
      released: (slot) => {
        if (!isBusy(slot) && !deps.store.projector.schedules.has(slot.tenant)) this.slots.delete(slot.tenant);
      },
    });
  }

  async start(): Promise<void> {
    if (this.status !== 'new') return;
    this.status = 'starting';
    this.startedAt = this.clock.now();
    const { journal, projector } = this.deps.store;
    this.follow(journal.lastSeq);
    // A run a previous process started and never finished cannot be resumed: record its end.
    const now = this.clock.now();
    await Promise.all(
      [...projector.schedules.values()]
        .filter((s) => s.running)
        .map((s) =>
          this.recorder.finish(s.tenant, s.running!.runId, Math.max(0, now - Date.parse(s.running!.startedAt)), {
            status: 'failed',
            error: 'interrupted by restart',
            errorClass: 'internal',
            attempt: s.running!.attempt,
            willRetry: false,
          }),
        ),
    );
    if (this.status !== 'starting') return;
    this.status = 'running';
    // Due times missed while down sit in the past of each slot's cursor: the first tick finds
    // them and plans one catch-up per schedule (onDue), the same path as a stalled process.
    for (const tenant of projector.schedules.keys()) this.reconcile(tenant);
    this.arm();
  }

  stop(graceMs = DEFAULT_GRACE_MS): Promise<void> {
    this.stopping ??= this.shutdown(graceMs);
    return this.stopping;
  }

  async runNow(tenant: string, origin: Origin): Promise<{ runId: string }> {
    if (this.status !== 'running') throw unavailable('the scheduler is not running');
    const s = this.deps.store.projector.schedules.get(tenant);
    if (!s) throw notFound(`no schedule for tenant "${tenant}"`);
    this.reconcile(tenant);
    const slot = this.slots.get(tenant)!;
    if (slot.flight || s.running) throw conflict(`tenant "${tenant}" has a run in progress (${slot.flight?.runId ?? s.running?.runId})`);
    if (slot.pending) {
      const when = slot.pending.readyAt > this.clock.now() ? ` for ${iso(slot.pending.readyAt)}` : '';
      throw conflict(`tenant "${tenant}" already has a ${slot.pending.trigger} run waiting${when}`);
    }
    const now = this.clock.now();
    const pending = this.pool.pend(slot, 'manual', now, 1, origin, Math.max(now, slot.notBefore));
    this.pool.pump();
    // Started at once (a free slot): answer after run.started is recorded, so the client's
    // next read shows it running. Queued behind the cap: answer now.
    if (this.isFlying(slot, pending.runId)) await pending.started?.promise;
    return { runId: pending.runId };
  }

  private isFlying(slot: Slot, runId: string): boolean {
    return slot.flight?.runId === runId;
  }

  state(): SchedulerState {
    const now = this.clock.now();
    const top = this.alarms.peek();
    const overdue = top && this.status === 'running' ? Math.max(0, now - top.at) : 0;
    return {
      state: this.status === 'running' ? 'running' : 'stopped',
      lastTickAt: this.lastTickAt === null ? null : iso(this.lastTickAt),
      nextDueAt: top ? iso(top.at) : null,
      lagMs: Math.max(this.lagMs, overdue),
      inFlight: this.pool.inFlight,
      queued: this.pool.queued,
    };
  }


  // Follows the journal for schedule changes. Should the feed ever fail, it is taken up again
  // from the last seq seen and every tenant reconciled, rather than firing from a stale view.
  private follow(after: number): void {
    let seen = after;
    this.subscription = this.deps.store.journal.subscribe(
      after,
      (events) => {
        seen = events[events.length - 1]?.seq ?? seen;
        this.onEvents(events);
      },
      (error) => {
        this.log.error('scheduler lost the journal feed; following again', { error: error.message, after: seen });
        this.timers.setTimeout(() => {
          if (this.status !== 'starting' && this.status !== 'running') return;
          this.follow(seen);
          for (const tenant of this.deps.store.projector.schedules.keys()) this.guard(tenant, () => this.reconcile(tenant));
        }, 1_000);
      },
    );
  }

  private onEvents(events: readonly Envelope[]): void {
    if (this.status !== 'running') return;
    for (const e of events) {
      if (e.type.startsWith('schedule.')) this.guard(e.tenant, () => this.reconcile(e.tenant));
    }
  }

  // Bring a tenant's alarms in line with its schedule as the projection now has it.
  private reconcile(tenant: string): void {
    const s = this.deps.store.projector.schedules.get(tenant);
    let slot = this.slots.get(tenant);
    if (!s) {
      if (!slot) return;
      this.cancel(slot, 'due');
      this.cancel(slot, 'resume');
      this.pool.drop(slot, 'the schedule was deleted');
      slot.timetable = '';
      if (!slot.flight) this.slots.delete(tenant);
      return;
    }
    if (!slot) {
      // every field present from the start, so all slots share one shape
      slot = {
        tenant,
        timetable: '',
        cursor: coveredMs(s),
        due: undefined,
        resume: undefined,
        wait: undefined,
        pending: undefined,
        flight: undefined,
        // a Retry-After recorded before a restart still holds
        notBefore: notBeforeMs(s),
        started: 0,
        lastStartedAt: 0,
      };
      this.slots.set(tenant, slot);
    }
    if (s.paused) {
      this.cancel(slot, 'due');
      if (slot.pending && slot.pending.trigger !== 'manual') this.pool.drop(slot, 'the schedule was paused');
      if (s.pause.until) this.setAlarm(slot, 'resume', Date.parse(s.pause.until));
      else this.cancel(slot, 'resume');
      slot.timetable = '';
      return;
    }
    this.cancel(slot, 'resume');
    const timetable = timetableOf(s);
    if (timetable !== slot.timetable || !slot.due) {
      slot.cursor = Math.max(slot.cursor, coveredMs(s));
      slot.timetable = timetable;
      this.setAlarm(slot, 'due', nextDue(s.spec, Date.parse(s.anchor), tenant, slot.cursor));
    }
  }

  private setAlarm(slot: Slot, kind: AlarmKind, at: number): void {
    const current = slot[kind];
    if (current && current.at === at && this.alarms.has(current)) return;
    this.cancel(slot, kind);
    if (!Number.isFinite(at) || this.status !== 'running') return;
    const alarm: Alarm = { at, kind, slot, heapIndex: -1 };
    slot[kind] = alarm;
    this.alarms.push(alarm);
    this.scheduleArm();
  }

  private cancel(slot: Slot, kind: AlarmKind): void {
    const alarm = slot[kind];
    if (!alarm) return;
    this.alarms.remove(alarm);
    slot[kind] = undefined;
  }

  private scheduleArm(): void {
    if (this.armQueued) return;
    this.armQueued = true;
    queueMicrotask(() => this.arm());
  }

  // One timer: at the nearest alarm, or at the heartbeat when nothing is due sooner.
  private arm(): void {
    this.armQueued = false;
    if (this.status !== 'running') return;
    const top = this.alarms.peek();
    const wanted = top?.at ?? Number.POSITIVE_INFINITY;
    if (this.timer !== undefined && this.timerAt <= wanted) return;
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    const now = this.clock.now();
    this.timerAt = Math.min(wanted, now + this.heartbeatMs);
    this.timer = this.timers.setTimeout(() => this.tick(), Math.max(0, this.timerAt - now));
  }

  private tick(): void {
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
    if (this.status !== 'running') return;
    const now = this.clock.now();
    this.lastTickAt = now;
    let lag = 0;
    try {
      for (let alarm = this.alarms.peek(); alarm && alarm.at <= now; alarm = this.alarms.peek()) {
        this.alarms.pop();
        const slot = alarm.slot;
        if (slot[alarm.kind] === alarm) slot[alarm.kind] = undefined;
        lag = Math.max(lag, now - alarm.at);
        this.guard(slot.tenant, () => this.ring(alarm, now));
      }
      this.lagMs = lag;
      this.pool.pump();
    } finally {
      this.arm();
    }
  }

  // A fault with one tenant is logged and must never stop the scheduler for the others.
  private guard(tenant: string, work: () => void): void {
    try {
      work();
    } catch (error) {
      this.log.error('scheduler step failed', { tenant, error: (error as Error)?.stack ?? String(error) });
    }
  }

  private ring(alarm: Alarm, now: number): void {
    const slot = alarm.slot;
    if (alarm.kind === 'due') this.onDue(slot, now);
    else if (alarm.kind === 'resume') this.onResume(slot, now);
    else this.pool.ready(slot);
  }

  private onDue(slot: Slot, now: number): void {
    const s = this.deps.store.projector.schedules.get(slot.tenant);
    if (!s || s.paused) return;
    const anchor = Date.parse(s.anchor);
    const span = dueSpan(s.spec, anchor, slot.tenant, slot.cursor, now);
    if (span) {
      slot.cursor = span.last;
      if (span.count === 1 && span.last >= this.startedAt) {
        this.fire(slot, s, span.last, 'scheduled', now);
      } else {
        const plan = planMissed(span, catchupWindowMs(s.spec, s.policy, anchor, slot.tenant, span.last), now);
        if (plan.skipped) {
          const { from, through, count } = plan.skipped;
          const skip: Command = { type: 'SkipRun', tenant: slot.tenant, scheduledFor: iso(from), reason: 'missed', count };
          if (count > 1) skip.through = iso(through);
          this.recorder.record(skip);
        }
        if (plan.catchup !== undefined) this.fire(slot, s, plan.catchup, 'catchup', now);
      }
    }
    this.setAlarm(slot, 'due', nextDue(s.spec, anchor, slot.tenant, Math.max(slot.cursor, now)));
  }

  private fire(slot: Slot, s: Schedule, dueAt: number, trigger: Trigger, now: number): void {
    if (isBusy(slot) || s.running) {
      this.recorder.record({ type: 'SkipRun', tenant: slot.tenant, scheduledFor: iso(dueAt), reason: 'overlap', count: 1 });
      return;
    }
    // ready since its due time, so a backlog behind the cap starts oldest first
    this.pool.pend(slot, trigger, dueAt, 1, SCHEDULER, Math.max(dueAt, slot.notBefore));
  }

  private onResume(slot: Slot, now: number): void {
    const s = this.deps.store.projector.schedules.get(slot.tenant);
    if (!s?.paused || !s.pause.until || Date.parse(s.pause.until) > now) return;
    this.recorder.record({ type: 'ResumeSchedule', tenant: slot.tenant }, () => this.setAlarm(slot, 'resume', this.clock.now() + 5_000));
  }


  private async shutdown(graceMs: number): Promise<void> {
    this.status = 'stopping';
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
    for (const slot of this.slots.values()) this.pool.drop(slot, 'the scheduler stopped');
    this.alarms.clear();
    for (const slot of this.slots.values()) slot.due = slot.resume = slot.wait = undefined;
    await this.pool.drain(graceMs);
    await this.recorder.settled();
    this.subscription?.close();
    this.status = 'stopped';
  }
}
