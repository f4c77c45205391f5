import { nanoid } from 'nanoid';
import type { Clock } from '../clock.ts';
import { catchupWindowMs, dueSpan, planMissed } from '../domain/catchup.ts';
import type { Command, RunOutcome } from '../domain/commands.ts';
import { conflict, DomainError, notFound, unavailable } from '../domain/errors.ts';
import type { Envelope, RunnerName, Trigger } from '../domain/events.ts';
import { authPauseReason, DEFAULT_AUTH_FAILURES_BEFORE_PAUSE, retryAt, timeoutMs } from '../domain/run-policy.ts';
import type { Schedule } from '../domain/schedule.ts';
import { nextDue } from '../domain/timetable.ts';
import { type Logger, silentLogger } from '../logger.ts';
import type { Runner } from '../runners/runner.ts';
import type { CommandService, Origin } from '../service.ts';
import type { Store } from '../store/store.ts';
import type { Subscription } from '../journal/journal.ts';
import { delay, systemTimers, type TimerHandle, type Timers } from '../timers.ts';
import { type AttemptOutcome, runAttempt } from './attempt.ts';
import { Heap } from './heap.ts';
import { type Alarm, type AlarmKind, alarmBefore, type Flight, isBusy, newStarted, type PendingRun, pendingBefore, type Slot } from './slots.ts';

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
const SCHEDULER: Origin = { source: 'scheduler', actor: 'scheduler' };
const FINISH_TRIES = 6;

const iso = (ms: number) => new Date(ms).toISOString();
const message = (error: unknown) => (error instanceof Error ? error.message : String(error));
const timetableOf = (s: Schedule) => `${JSON.stringify(s.spec)}@${s.anchor}`;
// snapshots written before coveredUntil existed lack it
const coveredMs = (s: Schedule) => Date.parse(s.coveredUntil ?? s.anchor);

export const createScheduler = (deps: SchedulerDeps): Scheduler => new TimetableScheduler(deps);

// One timer for the nearest alarm over all tenants (a heap), a fair queue in front of a global
// cap on concurrent runs, and every decision recorded through the command service.
class TimetableScheduler implements Scheduler {
  private readonly clock: Clock;
  private readonly timers: Timers;
  private readonly log: Logger;
  private readonly newId: () => string;
  private readonly cap: number;
  private readonly authThreshold: number;
  private readonly heartbeatMs: number;
  private readonly slots = new Map<string, Slot>();
  private readonly alarms = new Heap<Alarm>(alarmBefore);
  private readonly queue = new Heap<PendingRun>(pendingBefore);
  private readonly recording = new Set<Promise<unknown>>();
  private status: 'new' | 'starting' | 'running' | 'stopping' | 'stopped' = 'new';
  private stopping: Promise<void> | undefined;
  private subscription: Subscription | undefined;
  private timer: TimerHandle | undefined;
  private timerAt = Number.POSITIVE_INFINITY;
  private armQueued = false;
  private startedAt = 0;
  private lastTickAt: number | null = null;
  private lagMs = 0;
  private inFlight = 0;

  constructor(private readonly deps: SchedulerDeps) {
    this.clock = deps.clock;
    this.timers = deps.timers ?? systemTimers;
    this.log = deps.log ?? silentLogger;
    this.newId = deps.newId ?? (() => nanoid());
    this.cap = deps.maxConcurrent ?? DEFAULT_MAX_CONCURRENT;
    this.authThreshold = deps.authFailuresBeforePause ?? DEFAULT_AUTH_FAILURES_BEFORE_PAUSE;
    this.heartbeatMs = deps.heartbeatMs ?? 30_000;
  }

  async start(): Promise<void> {
    if (this.status !== 'new') return;
    this.status = 'starting';
    this.startedAt = this.clock.now();
    const { journal, projector } = this.deps.store;
    this.subscription = journal.subscribe(
      journal.lastSeq,
      (events) => this.onEvents(events),
      (error) => this.log.error('scheduler lost the journal feed', { error: error.message }),
    );
    // A run a previous process started and never finished cannot be resumed: record its end.
    const now = this.clock.now();
    await Promise.all(
      [...projector.schedules.values()]
        .filter((s) => s.running)
        .map((s) =>
          this.recordFinish(s.tenant, s.running!.runId, Math.max(0, now - Date.parse(s.running!.startedAt)), {
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
    const pending = this.pend(slot, 'manual', now, 1, origin, Math.max(now, slot.notBefore));
    this.pump();
    // Started at once (a free slot): answer after run.started is recorded, so the client's
    // next read shows it running. Queued behind the cap: answer now.
    if (this.isFlying(slot, pending.runId)) await pending.started.promise;
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
      inFlight: this.inFlight,
      queued: this.queue.size,
    };
  }

  // --- the timetable -------------------------------------------------------------------

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
      this.dropPending(slot, 'the schedule was deleted');
      slot.timetable = '';
      if (!slot.flight) this.slots.delete(tenant);
      return;
    }
    if (!slot) {
      slot = { tenant, timetable: '', cursor: coveredMs(s), notBefore: 0, started: 0, lastStartedAt: 0 };
      this.slots.set(tenant, slot);
    }
    if (s.paused) {
      this.cancel(slot, 'due');
      if (slot.pending && slot.pending.trigger !== 'manual') this.dropPending(slot, 'the schedule was paused');
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
      this.pump();
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
    else if (slot.pending && !this.queue.has(slot.pending)) this.queue.push(slot.pending);
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
          this.record(skip);
        }
        if (plan.catchup !== undefined) this.fire(slot, s, plan.catchup, 'catchup', now);
      }
    }
    this.setAlarm(slot, 'due', nextDue(s.spec, anchor, slot.tenant, Math.max(slot.cursor, now)));
  }

  private fire(slot: Slot, s: Schedule, dueAt: number, trigger: Trigger, now: number): void {
    if (isBusy(slot) || s.running) {
      this.record({ type: 'SkipRun', tenant: slot.tenant, scheduledFor: iso(dueAt), reason: 'overlap', count: 1 });
      return;
    }
    // ready since its due time, so a backlog behind the cap starts oldest first
    this.pend(slot, trigger, dueAt, 1, SCHEDULER, Math.max(dueAt, slot.notBefore));
  }

  private onResume(slot: Slot, now: number): void {
    const s = this.deps.store.projector.schedules.get(slot.tenant);
    if (!s?.paused || !s.pause.until || Date.parse(s.pause.until) > now) return;
    this.record({ type: 'ResumeSchedule', tenant: slot.tenant }, () => this.setAlarm(slot, 'resume', this.clock.now() + 5_000));
  }

  // --- runs ------------------------------------------------------------------------------

  private pend(slot: Slot, trigger: Trigger, scheduledFor: number, attempt: number, origin: Origin, readyAt: number): PendingRun {
    const pending: PendingRun = {
      slot,
      runId: this.newId(),
      trigger,
      scheduledFor,
      attempt,
      origin,
      readyAt,
      served: slot.started,
      rank: slot.lastStartedAt,
      started: newStarted(),
      heapIndex: -1,
    };
    slot.pending = pending;
    if (readyAt > this.clock.now()) this.setAlarm(slot, 'wait', readyAt);
    else this.queue.push(pending);
    return pending;
  }

  private dropPending(slot: Slot, why: string): void {
    const pending = slot.pending;
    if (!pending) return;
    this.queue.remove(pending);
    this.cancel(slot, 'wait');
    slot.pending = undefined;
    pending.started.reject(unavailable(`the run did not start: ${why}`));
  }

  private pump(): void {
    while (this.status === 'running' && this.inFlight < this.cap) {
      const pending = this.queue.pop();
      if (!pending) return;
      this.launch(pending);
    }
  }

  private launch(pending: PendingRun): void {
    const slot = pending.slot;
    if (slot.pending === pending) slot.pending = undefined;
    const now = this.clock.now();
    this.inFlight += 1;
    let recorded!: (ok: boolean) => void;
    const flight: Flight = {
      runId: pending.runId,
      trigger: pending.trigger,
      scheduledFor: pending.scheduledFor,
      attempt: pending.attempt,
      startedAt: now,
      phase: 'starting',
      controller: new AbortController(),
      abandoned: false,
      start: new Promise<boolean>((resolve) => (recorded = resolve)),
      done: Promise.resolve(),
    };
    slot.flight = flight;
    slot.started += 1;
    slot.lastStartedAt = now;
    flight.done = this.fly(slot, flight, pending, recorded);
  }

  private async fly(slot: Slot, flight: Flight, pending: PendingRun, recorded: (ok: boolean) => void): Promise<void> {
    const { service } = this.deps;
    try {
      let schedule: Schedule | undefined;
      try {
        const command: Command = {
          type: 'StartRun',
          tenant: slot.tenant,
          runId: flight.runId,
          trigger: flight.trigger,
          scheduledFor: iso(flight.scheduledFor),
          attempt: flight.attempt,
        };
        schedule = (await service.execute(command, pending.origin)).schedule;
      } catch (error) {
        recorded(false);
        pending.started.reject(error);
        if (!(error instanceof DomainError && error.code === 'not_found')) {
          this.log.warn('run could not start', { tenant: slot.tenant, runId: flight.runId, error: message(error) });
        }
        return;
      }
      recorded(true);
      pending.started.resolve();
      if (flight.abandoned || !schedule) return;
      flight.phase = 'running';
      flight.startedAt = this.clock.now();
      const outcome = await runAttempt({
        runner: this.deps.runners[schedule.runner],
        runnerName: schedule.runner,
        request: {
          tenant: slot.tenant,
          runId: flight.runId,
          scheduledFor: iso(flight.scheduledFor),
          trigger: flight.trigger,
          attempt: flight.attempt,
          watermark: schedule.watermark,
        },
        controller: flight.controller,
        timeoutMs: timeoutMs(schedule.policy),
        clock: this.clock,
        timers: this.timers,
      });
      if (flight.abandoned) return;
      flight.phase = 'recording';
      await this.finish(slot, flight, outcome);
    } catch (error) {
      this.log.error('run bookkeeping failed', { tenant: slot.tenant, runId: flight.runId, error: (error as Error)?.stack ?? String(error) });
    } finally {
      flight.phase = 'done';
      this.inFlight -= 1;
      if (slot.flight === flight) slot.flight = undefined;
      if (!isBusy(slot) && !this.deps.store.projector.schedules.has(slot.tenant)) this.slots.delete(slot.tenant);
      this.pump();
      this.scheduleArm();
    }
  }

  private async finish(slot: Slot, flight: Flight, outcome: AttemptOutcome): Promise<void> {
    if (outcome.ok) {
      const result = Object.keys(outcome.result).length > 0 ? { ...outcome.result } : undefined;
      await this.recordFinish(slot.tenant, flight.runId, outcome.durationMs, { status: 'succeeded', result });
      return;
    }
    const now = this.clock.now();
    const { projector } = this.deps.store;
    if (outcome.errorClass === 'rate-limit' && outcome.retryAfterMs !== undefined) {
      slot.notBefore = Math.max(slot.notBefore, now + outcome.retryAfterMs);
    }
    const s = projector.schedules.get(slot.tenant);
    const planned =
      s && !s.paused && this.status === 'running'
        ? retryAt(
            {
              attempt: flight.attempt,
              errorClass: outcome.errorClass,
              failedAt: now,
              retryAfterMs: outcome.retryAfterMs,
              nextDueAt: slot.due?.at ?? Number.POSITIVE_INFINITY,
            },
            s.policy,
          )
        : undefined;
    const at = planned === undefined ? undefined : Math.max(planned, slot.notBefore);
    const failed: RunOutcome = {
      status: 'failed',
      error: outcome.error,
      errorClass: outcome.errorClass,
      attempt: flight.attempt,
      willRetry: at !== undefined,
    };
    if (at !== undefined) failed.retryAt = iso(at);
    await this.recordFinish(slot.tenant, flight.runId, outcome.durationMs, failed);

    const after = projector.schedules.get(slot.tenant);
    if (at !== undefined && after && !after.paused && this.status === 'running' && !slot.pending) {
      this.pend(slot, 'retry', flight.scheduledFor, flight.attempt + 1, SCHEDULER, at);
    }
    const reason = outcome.errorClass === 'auth' && after ? authPauseReason(after, this.authThreshold) : undefined;
    if (reason) this.record({ type: 'PauseSchedule', tenant: slot.tenant, reason });
  }

  // The end of a run must be recorded; a journal that is briefly unavailable gets a few tries.
  // Past them the projection keeps the run as running, and the next start records it as
  // interrupted.
  private async recordFinish(tenant: string, runId: string, durationMs: number, outcome: RunOutcome): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.deps.service.execute({ type: 'FinishRun', tenant, runId, durationMs, outcome }, SCHEDULER);
        return;
      } catch (error) {
        const last = attempt >= FINISH_TRIES || this.status === 'stopped';
        this.log.error(last ? 'could not record the end of a run' : 'could not record the end of a run; trying again', {
          tenant,
          runId,
          error: message(error),
        });
        if (last) return;
        await delay(this.timers, Math.min(1000 * 2 ** (attempt - 1), 30_000));
      }
    }
  }

  // Fire-and-forget records (skips, resumes): failures are logged, and stop() waits for them.
  private record(command: Command, onError?: () => void): void {
    void this.track(this.deps.service.execute(command, SCHEDULER)).catch((error: unknown) => {
      this.log.error('scheduler could not record', { tenant: command.tenant, type: command.type, error: message(error) });
      onError?.();
    });
  }

  private track<T>(work: Promise<T>): Promise<T> {
    this.recording.add(work);
    const forget = () => this.recording.delete(work);
    work.then(forget, forget);
    return work;
  }

  // --- stopping --------------------------------------------------------------------------

  private async shutdown(graceMs: number): Promise<void> {
    this.status = 'stopping';
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
    this.alarms.clear();
    for (const slot of this.slots.values()) {
      slot.due = slot.resume = slot.wait = undefined;
      this.dropPending(slot, 'the scheduler stopped');
    }
    const flights = [...this.slots.values()].flatMap((slot) => (slot.flight ? [{ slot, flight: slot.flight }] : []));
    if (flights.length > 0 && graceMs > 0) {
      let timer: TimerHandle | undefined;
      const grace = new Promise<void>((resolve) => (timer = this.timers.setTimeout(resolve, graceMs)));
      await Promise.race([Promise.all(flights.map((f) => f.flight.done)), grace]);
      this.timers.clearTimeout(timer);
    }
    // Runs still going past the grace are cut off and recorded as such; runs that were
    // recording their end finish doing so.
    const now = this.clock.now();
    await Promise.all(
      flights.map(async ({ slot, flight }) => {
        if (flight.phase !== 'starting' && flight.phase !== 'running') return flight.done;
        flight.abandoned = true;
        flight.controller.abort(new Error('the scheduler is shutting down'));
        if (!(await flight.start)) return;
        await this.recordFinish(slot.tenant, flight.runId, Math.max(0, now - flight.startedAt), {
          status: 'failed',
          error: 'interrupted by shutdown',
          errorClass: 'internal',
          attempt: flight.attempt,
          willRetry: false,
        });
      }),
    );
    await Promise.allSettled([...this.recording]);
    this.subscription?.close();
    this.status = 'stopped';
  }
}
