import { type AuditEntry, AUDIT_LIMIT, auditEntry } from '../domain/audit.ts';
import type { Envelope } from '../domain/events.ts';
import { type LastEvent, lastEventOf, type State } from '../domain/projection.ts';
import { finishRun, RUNS_LIMIT, type RunRecord } from '../domain/runs.ts';
import { evolveSchedule, type Schedule } from '../domain/schedule.ts';

// The server's live read model. It applies the domain's own pure rules (evolveSchedule,
// auditEntry, finishRun) but keeps them in mutable containers, so one event costs O(1)
// even with thousands of tenants; `toState()` gives the same value a fold of `evolve` would.
export class Projector {
  readonly schedules = new Map<string, Schedule>();
  private audit: AuditEntry[] = [];
  // Each run sits in a slot its index points at, so finishing it replaces the record in O(1).
  private runs: { run: RunRecord }[] = [];
  private readonly runIndex = new Map<string, { run: RunRecord }>();
  seq = 0;
  lastEvent: LastEvent | undefined;

  static from(state: State): Projector {
    const p = new Projector();
    for (const s of Object.values(state.schedules)) p.schedules.set(s.tenant, s);
    p.audit = [...state.audit].reverse();
    p.runs = [...state.runs].reverse().map((run) => ({ run }));
    for (const slot of p.runs) p.runIndex.set(slot.run.runId, slot);
    p.seq = state.seq;
    p.lastEvent = state.lastEvent;
    return p;
  }

  apply(e: Envelope): void {
    const before = this.schedules.get(e.tenant);
    const after = evolveSchedule(before, e);
    if (after) this.schedules.set(e.tenant, after);
    else if (before) this.schedules.delete(e.tenant);
    // oldest first internally, so appending is cheap; trimmed in chunks
    this.audit.push(auditEntry(e));
    if (this.audit.length > AUDIT_LIMIT * 2) this.audit = this.audit.slice(-AUDIT_LIMIT);
    this.applyRun(e, before);
    this.seq = e.seq;
    this.lastEvent = lastEventOf(e);
  }

  private applyRun(e: Envelope, schedule: Schedule | undefined): void {
    if (e.type === 'run.started') {
      const record: RunRecord = {
        runId: e.data.runId,
        tenant: e.tenant,
        trigger: e.data.trigger,
        attempt: e.data.attempt,
        scheduledFor: e.data.scheduledFor,
        startedAt: e.ts,
        outcome: 'running',
      };
      if (schedule) record.runner = schedule.runner;
      const slot = { run: record };
      this.runs.push(slot);
      this.runIndex.set(record.runId, slot);
      if (this.runs.length > RUNS_LIMIT * 2) {
        for (const dropped of this.runs.splice(0, this.runs.length - RUNS_LIMIT)) {
          if (this.runIndex.get(dropped.run.runId) === dropped) this.runIndex.delete(dropped.run.runId);
        }
      }
    } else if (e.type === 'run.succeeded' || e.type === 'run.failed') {
      const slot = this.runIndex.get(e.data.runId);
      if (slot) slot.run = finishRun(slot.run, e);
    }
  }

  auditEntries(limit = AUDIT_LIMIT, tenant?: string): AuditEntry[] {
    const out: AuditEntry[] = [];
    const floor = Math.max(0, this.audit.length - AUDIT_LIMIT);
    for (let i = this.audit.length - 1; i >= floor && out.length < limit; i--) {
      const entry = this.audit[i]!;
      if (tenant === undefined || entry.tenant === tenant) out.push(entry);
    }
    return out;
  }

  recentRuns(limit = RUNS_LIMIT, tenant?: string): RunRecord[] {
    const out: RunRecord[] = [];
    const floor = Math.max(0, this.runs.length - RUNS_LIMIT);
    for (let i = this.runs.length - 1; i >= floor && out.length < limit; i--) {
      const { run } = this.runs[i]!;
      if (tenant === undefined || run.tenant === tenant) out.push(run);
    }
    return out;
  }

  toState(): State {
    const state: State = {
      seq: this.seq,
      schedules: Object.fromEntries([...this.schedules.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
      audit: this.auditEntries(),
      runs: this.recentRuns(),
    };
    if (this.lastEvent) state.lastEvent = this.lastEvent;
    return state;
  }
}
