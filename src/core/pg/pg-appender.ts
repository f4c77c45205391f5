import type pg from 'pg';
import { conflict, DomainError, invalid } from '../domain/errors.ts';
import type { Envelope, Unsequenced } from '../domain/events.ts';
import { JournalError, monotonicTs } from '../journal/journal.ts';
import { chainHash } from '../journal/line-codec.ts';
import { needsFreshTenant, runKeyOf, runKeyText } from './append-guards.ts';
import { type AppendStart, beginAppend, type EventRow, insertAndCommit } from './event-rows.ts';
import { isConnectionError, unavailable, withClient } from './pg-pool.ts';
import type { PgNames } from './pg-names.ts';

export interface Committed {
  rows: EventRow[];
  events: Envelope[];
  // rows other instances committed before these, as read inside the transaction
  before: EventRow[];
}

interface Pending {
  drafts: readonly Unsequenced[];
  // the local journal position the caller decided on
  basis: number;
  resolve: (committed: Committed) => void;
  reject: (error: Error) => void;
}

const MAX_BATCH_EVENTS = 1000;

// Group commit on a shared database: appends that arrive while a transaction is in flight
// share the next one, which takes the append lock, checks the guards, inserts and commits.
export class PgAppender {
  private pending: Pending[] = [];
  private flushing: Promise<void> | null = null;
  // seq ranges this process committed: its own rows never make its later decisions stale
  private own: Array<[number, number]> = [];
  // connection errors met while the commit was on its way: their outcome is unknown
  private readonly cutOff = new WeakSet<object>();

  constructor(
    private readonly pool: pg.Pool,
    private readonly n: PgNames,
  ) {}

  append(drafts: readonly Unsequenced[], basis: number): Promise<Committed> {
    return new Promise((resolve, reject) => {
      this.pending.push({ drafts, basis, resolve, reject });
      this.flushing ??= Promise.resolve().then(() => this.flushLoop());
    });
  }

  async drain(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  private async flushLoop(): Promise<void> {
    try {
      while (this.pending.length > 0) {
        let events = 0;
        let take = 0;
        while (take < this.pending.length && (take === 0 || events + this.pending[take]!.drafts.length <= MAX_BATCH_EVENTS)) {
          events += this.pending[take]!.drafts.length;
          take += 1;
        }
        await this.commitBatch(this.pending.splice(0, take));
      }
    } finally {
      this.flushing = null;
    }
  }

  private async commitBatch(batch: Pending[]): Promise<void> {
    try {
      const outcomes = await withClient(this.pool, (client) => this.transaction(client, batch));
      batch.forEach((p, i) => {
        const outcome = outcomes[i]!;
        if (outcome instanceof Error) p.reject(outcome);
        else p.resolve(outcome);
      });
    } catch (error) {
      // One bad append (text the database refuses) must not fail the ones batched with it.
      if (batch.length > 1 && !isConnectionError(error)) {
        for (const p of batch) await this.commitBatch([p]);
        return;
      }
      const failure = this.failureOf(error);
      for (const p of batch) p.reject(failure);
    }
  }

  private failureOf(error: unknown): Error {
    const code = (error as { code?: string }).code ?? '';
    if (code === '23505') return conflict('the change collides with one that was recorded first (a run for this due time already started, or a duplicate event id)');
    if (code.startsWith('22')) return invalid(`the database cannot store this change: ${(error as Error).message}`);
    if (error instanceof DomainError || error instanceof JournalError) return error;
    if (typeof error === 'object' && error !== null && this.cutOff.has(error)) return unavailable('the commit was cut off', error, 'unknown');
    return unavailable('append failed', error);
  }

  private async transaction(client: pg.PoolClient, batch: Pending[]): Promise<Array<Committed | Error>> {
    try {
      const start = await beginAppend(client, this.n, Math.min(...batch.map((p) => p.basis)));
      const { head, recent } = start;
      const verdicts = await this.check(client, batch, start);
      const before: EventRow[] = recent.map(({ seq, hash, body }) => ({ seq, hash, body }));
      let { seq, hash, ts } = head;
      const rows: EventRow[] = [];
      const events: Envelope[] = [];
      const outcomes = batch.map((p, i): Committed | Error => {
        const refused = verdicts[i];
        if (refused) return refused;
        const mine: Committed = { rows: [], events: [], before };
        for (const d of p.drafts) {
          seq += 1;
          ts = monotonicTs(d.ts, ts);
          // the file journal's key order, so both stores hash (and export) the same bytes
          const event = { seq, id: d.id, ts, type: d.type, tenant: d.tenant, source: d.source, actor: d.actor, data: d.data } as Envelope;
          const body = JSON.stringify(event);
          hash = chainHash(hash, body);
          mine.rows.push({ seq, hash, body });
          mine.events.push(event);
        }
        rows.push(...mine.rows);
        events.push(...mine.events);
        return mine;
      });
      if (rows.length > 0) {
        // The rows and the COMMIT travel together: a connection lost now may have lost the
        // answer, not the commit, so nobody can say whether they were recorded.
        await insertAndCommit(client, this.n, rows, events).catch((error: unknown) => {
          if (isConnectionError(error) && typeof error === 'object' && error !== null) this.cutOff.add(error);
          throw error;
        });
        this.own.push([head.seq + 1, seq]);
        if (this.own.length > 1000) this.own.splice(0, this.own.length - 1000);
      } else {
        await client.query('COMMIT');
      }
      return outcomes;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    }
  }

  private isOwn(seq: number): boolean {
    return this.own.some(([from, to]) => seq >= from && seq <= to);
  }

  // Guards, checked under the append lock so nobody can slip in between check and insert.
  private async check(client: pg.PoolClient, batch: Pending[], start: AppendStart): Promise<Array<Error | undefined>> {
    const verdicts: Array<Error | undefined> = batch.map(() => undefined);
    const stale = batch.filter((p) => p.basis < start.head.seq && p.drafts.some(needsFreshTenant));
    if (stale.length > 0) {
      const tenants = [...new Set(stale.flatMap((p) => p.drafts.filter(needsFreshTenant).map((d) => d.tenant)))];
      // the rows since the oldest basis came with the lock, unless there were too many
      const since = Math.min(...stale.map((p) => p.basis));
      const rows = start.complete
        ? start.recent
        : (
            await client.query<{ tenant: string; seq: number }>(
              `SELECT tenant, seq FROM ${this.n.table('events')} WHERE seq > $1 AND tenant = ANY($2::text[])`,
              [since, tenants],
            )
          ).rows;
      const foreign = rows.filter((r) => r.seq > since && tenants.includes(r.tenant) && !this.isOwn(r.seq));
      batch.forEach((p, i) => {
        const changed = p.drafts.filter(needsFreshTenant).find((d) => foreign.some((r) => r.tenant === d.tenant && r.seq > p.basis));
        if (changed) {
          verdicts[i] = conflict(`tenant "${changed.tenant}" was changed on another instance at the same moment; reload and try again`);
        }
      });
    }
    const keys = batch.flatMap((p, i) => (verdicts[i] ? [] : p.drafts.flatMap((d) => runKeyOf(d) ?? [])));
    if (keys.length > 0) {
      const { rows } = await client.query<{ tenant: string; sf: string; attempt: number }>(
        `SELECT tenant, data->>'scheduledFor' AS sf, (data->>'attempt')::int AS attempt FROM ${this.n.table('events')}
         WHERE type = 'run.started' AND data->>'trigger' <> 'manual'
           AND (tenant, data->>'scheduledFor', (data->>'attempt')::int) IN (SELECT * FROM unnest($1::text[], $2::text[], $3::int[]))`,
        [keys.map((k) => k.tenant), keys.map((k) => k.scheduledFor), keys.map((k) => k.attempt)],
      );
      const taken = new Set(rows.map((r) => runKeyText({ tenant: r.tenant, scheduledFor: r.sf, attempt: r.attempt })));
      batch.forEach((p, i) => {
        if (verdicts[i]) return;
        for (const d of p.drafts) {
          const key = runKeyOf(d);
          if (!key) continue;
          const text = runKeyText(key);
          if (taken.has(text)) {
            verdicts[i] = conflict(
              `a run of tenant "${key.tenant}" for ${key.scheduledFor} (attempt ${key.attempt}) has already started, on this or another instance`,
            );
            return;
          }
        }
        for (const d of p.drafts) {
          const key = runKeyOf(d);
          if (key) taken.add(runKeyText(key));
        }
      });
    }
    return verdicts;
  }
}
