import type { Clock } from '../clock.ts';
import type { Command, RunOutcome } from '../domain/commands.ts';
import { DomainError, unavailable } from '../domain/errors.ts';
import type { RunnerName, Trigger } from '../domain/events.ts';
import { authPauseReason, retryAt, timeoutMs } from '../domain/run-policy.ts';
import type { Schedule } from '../domain/schedule.ts';
import { JournalError } from '../journal/journal.ts';
import type { Logger } from '../logger.ts';
import type { Runner } from '../runners/runner.ts';
import type { CommandService, Origin } from '../service.ts';
import type { Store } from '../store/store.ts';
import type { TimerHandle, Timers } from '../timers.ts';
import { type AttemptOutcome, runAttempt } from './attempt.ts';
import { Heap } from './heap.ts';
import { type Recorder, SCHEDULER } from './recorder.ts';
import { type Flight, newStarted, type PendingRun, pendingBefore, type Slot } from './slots.ts';

export interface RunPoolDeps {
  store: Store;
  service: CommandService;
  clock: Clock;
  timers: Timers;
  log: Logger;
  newId: () => string;
  runners: Partial<Record<RunnerName, Runner>>;
  recorder: Recorder;
  cap: number;
  authThreshold: number;
  // the scheduler's side: wake a pending run at its time, forget that wake-up, and whether
  // runs may still start and be retried
  wakeAt(slot: Slot, at: number): void;
  unwake(slot: Slot): void;
  accepting(): boolean;
  // a slot's run ended (the scheduler may forget a deleted tenant)
  released(slot: Slot): void;
}

// A start the journal could not record (the database restarting) is tried again after
// 1, 2, 4, 8 and 16 s: about half a minute, then that due time is given up.
const START_RETRIES = 5;
const START_BACKOFF_MS = 1_000;

const iso = (ms: number) => new Date(ms).toISOString();
const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

// Runs decided on, from waiting to recorded: a fair queue in front of a global cap, each run
// bounded by its timeout, its end recorded, then a retry or an auth pause decided.
export class RunPool {
  inFlight = 0;
  private readonly queue = new Heap<PendingRun>(pendingBefore);
  private readonly flights = new Set<{ slot: Slot; flight: Flight }>();

  constructor(private readonly deps: RunPoolDeps) {}

  get queued(): number {
    return this.queue.size;
  }

  pend(slot: Slot, trigger: Trigger, scheduledFor: number, attempt: number, origin: Origin, readyAt: number): PendingRun {
    const pending: PendingRun = {
      slot,
      runId: this.deps.newId(),
      trigger,
      scheduledFor,
      attempt,
      origin,
      readyAt,
      served: slot.started,
      rank: slot.lastStartedAt,
      started: trigger === 'manual' ? newStarted() : undefined,
      startFailures: 0,
      heapIndex: -1,
    };
    slot.pending = pending;
    if (readyAt > this.deps.clock.now()) this.deps.wakeAt(slot, readyAt);
    else this.queue.push(pending);
    return pending;
  }

  // its time has come (a retry's backoff, a rate limit)
  ready(slot: Slot): void {
    if (slot.pending && !this.queue.has(slot.pending)) this.queue.push(slot.pending);
  }

  drop(slot: Slot, why: string): void {
    const pending = slot.pending;
    if (!pending) return;
    this.queue.remove(pending);
    this.deps.unwake(slot);
    slot.pending = undefined;
    pending.started?.reject(unavailable(`the run did not start: ${why}`));
  }

  pump(): void {
    while (this.deps.accepting() && this.inFlight < this.deps.cap) {
      const pending = this.queue.pop();
      if (!pending) return;
      this.launch(pending);
    }
  }

  private launch(pending: PendingRun): void {
    const slot = pending.slot;
    if (slot.pending === pending) slot.pending = undefined;
    const now = this.deps.clock.now();
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
    const entry = { slot, flight };
    this.flights.add(entry);
    flight.done = this.fly(slot, flight, pending, recorded).finally(() => this.flights.delete(entry));
  }

  private async fly(slot: Slot, flight: Flight, pending: PendingRun, recorded: (ok: boolean) => void): Promise<void> {
    const { clock } = this.deps;
    // The cap bounds the load on the import workers, so a run gives its place back as soon as
    // its runner is done; the tenant stays busy until the end is recorded.
    let holding = true;
    const release = () => {
      if (!holding) return;
      holding = false;
      this.inFlight -= 1;
      this.pump();
    };
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
        schedule = (await this.deps.service.execute(command, pending.origin)).schedule;
      } catch (error) {
        recorded(false);
        pending.started?.reject(error);
        if (this.startAgain(slot, pending, error)) return;
        if (!(error instanceof DomainError && error.code === 'not_found')) {
          this.deps.log.warn('run could not start', { tenant: slot.tenant, runId: flight.runId, error: message(error) });
        }
        return;
      }
      recorded(true);
      pending.started?.resolve();
      if (flight.abandoned || !schedule) return;
      flight.phase = 'running';
      flight.startedAt = clock.now();
      // a run in flight finishes with the settings it started with, even if deleted meanwhile
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
        clock,
        timers: this.deps.timers,
      });
      if (flight.abandoned) return;
      flight.phase = 'recording';
      release();
      await this.finish(slot, flight, outcome);
    } catch (error) {
      this.deps.log.error('run bookkeeping failed', { tenant: slot.tenant, runId: flight.runId, error: (error as Error)?.stack ?? String(error) });
    } finally {
      flight.phase = 'done';
      if (slot.flight === flight) slot.flight = undefined;
      this.deps.released(slot);
      release();
    }
  }

  // The journal could not record run.started (the database is down or restarting): the same
  // due time is tried again after a short backoff instead of being lost. Should the failed
  // start have been recorded after all (a commit cut off), the retry is refused as a
  // duplicate of it. A manual run is not retried: its caller was told it failed.
  private startAgain(slot: Slot, pending: PendingRun, error: unknown): boolean {
    if (!(error instanceof JournalError && error.code === 'unavailable') || pending.started) return false;
    const { log, clock, store } = this.deps;
    const s = store.projector.schedules.get(slot.tenant);
    if (!s || s.paused || !this.deps.accepting() || slot.pending) return false;
    const failures = pending.startFailures + 1;
    const context = { tenant: slot.tenant, scheduledFor: iso(pending.scheduledFor), trigger: pending.trigger, failures, error: message(error) };
    if (failures > START_RETRIES) {
      log.error('run could not start: the journal stayed unavailable; this due time is given up', context);
      return true;
    }
    const inMs = START_BACKOFF_MS * 2 ** (failures - 1);
    log.warn('run could not start: the journal is unavailable; trying again', { ...context, inMs });
    const next = this.pend(slot, pending.trigger, pending.scheduledFor, pending.attempt, pending.origin, clock.now() + inMs);
    next.startFailures = failures;
    return true;
  }

  private async finish(slot: Slot, flight: Flight, outcome: AttemptOutcome): Promise<void> {
    const { recorder, store, clock } = this.deps;
    if (outcome.ok) {
      const result = Object.keys(outcome.result).length > 0 ? { ...outcome.result } : undefined;
      await recorder.finish(slot.tenant, flight.runId, outcome.durationMs, { status: 'succeeded', result });
      return;
    }
    const now = clock.now();
    if (outcome.errorClass === 'rate-limit' && outcome.retryAfterMs !== undefined) {
      slot.notBefore = Math.max(slot.notBefore, now + outcome.retryAfterMs);
    }
    const s = store.projector.schedules.get(slot.tenant);
    const planned =
      s && !s.paused && this.deps.accepting()
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
    if (slot.notBefore > now) failed.notBefore = iso(slot.notBefore);
    await recorder.finish(slot.tenant, flight.runId, outcome.durationMs, failed);

    const after = store.projector.schedules.get(slot.tenant);
    if (at !== undefined && after && !after.paused && this.deps.accepting() && !slot.pending) {
      this.pend(slot, 'retry', flight.scheduledFor, flight.attempt + 1, SCHEDULER, at);
    }
    const reason = outcome.errorClass === 'auth' && after ? authPauseReason(after, this.deps.authThreshold) : undefined;
    if (reason) recorder.record({ type: 'PauseSchedule', tenant: slot.tenant, reason });
  }

  // Shutdown: nothing new starts; runs in flight get up to the grace to end and be recorded,
  // and the ones still going after it are cut off and recorded as interrupted.
  async drain(graceMs: number): Promise<void> {
    const { timers, clock, recorder } = this.deps;
    for (const pending of this.queue.clear()) {
      pending.slot.pending = undefined;
      pending.started?.reject(unavailable('the run did not start: the scheduler stopped'));
    }
    const flights = [...this.flights];
    if (flights.length > 0 && graceMs > 0) {
      let timer: TimerHandle | undefined;
      const grace = new Promise<void>((resolve) => (timer = timers.setTimeout(resolve, graceMs)));
      await Promise.race([Promise.all(flights.map((f) => f.flight.done)), grace]);
      timers.clearTimeout(timer);
    }
    const now = clock.now();
    await Promise.all(
      flights.map(async ({ slot, flight }) => {
        if (flight.phase !== 'starting' && flight.phase !== 'running') return flight.done;
        flight.abandoned = true;
        flight.controller.abort(new Error('the scheduler is shutting down'));
        if (!(await flight.start)) return;
        // one try: a journal that cannot record now leaves it to the next start
        await recorder.finish(
          slot.tenant,
          flight.runId,
          Math.max(0, now - flight.startedAt),
          { status: 'failed', error: 'interrupted by shutdown', errorClass: 'internal', attempt: flight.attempt, willRetry: false },
          1,
        );
      }),
    );
  }
}
