import type pg from 'pg';
import type { Envelope, Unsequenced } from '../domain/events.ts';
import { Fanout } from '../journal/fanout.ts';
import { type Journal, JournalError, type Listener, type ReadQuery, type Subscription } from '../journal/journal.ts';
import { chainHash } from '../journal/line-codec.ts';
import type { Logger } from '../logger.ts';
import { type Head, parseBody, readHead, readRows } from './event-rows.ts';
import { PgAppender } from './pg-appender.ts';
import { PgFollower } from './pg-follower.ts';
import { PgListener } from './pg-listener.ts';
import type { PgNames } from './pg-names.ts';
import { unavailable } from './pg-pool.ts';

export interface PgJournalOptions {
  pool: pg.Pool;
  names: PgNames;
  // for the LISTEN connection, which lives outside the pool
  connectionString: string;
  log: Logger;
  pollMs?: number;
  // how long an append waits for this instance to read the events before its own
  publishTimeoutMs?: number;
}

// The Journal on a shared PostgreSQL database. Several instances append to one events
// table; each publishes every event, its own and the others', to its local subscribers in
// seq order. An append resolves after its commit and after local subscribers saw it.
export class PgJournal implements Journal {
  private readonly fanout = new Fanout();
  private readonly appender: PgAppender;
  private readonly follower: PgFollower;
  private readonly listener: PgListener;
  private closed = false;
  private readonly inflight = new Set<Promise<unknown>>();

  private constructor(private readonly options: PgJournalOptions, head: Head) {
    this.appender = new PgAppender(options.pool, options.names);
    this.follower = new PgFollower({
      pool: options.pool,
      names: options.names,
      head,
      log: options.log,
      pollMs: options.pollMs,
      publish: (events) => this.fanout.publish(events),
    });
    this.listener = new PgListener({
      connectionString: options.connectionString,
      channel: options.names.channel,
      log: options.log,
      onWake: (payload) => this.follower.wake(payload === null ? undefined : Number(payload)),
    });
  }

  // Starts at the table's current end: history reaches subscribers through read().
  static async open(options: PgJournalOptions): Promise<PgJournal> {
    const head = await readHead(options.pool, options.names);
    const journal = new PgJournal(options, head);
    journal.follower.start();
    journal.listener.start();
    return journal;
  }

  get lastSeq(): number {
    return this.follower.position.seq;
  }

  get lastTs(): string | null {
    return this.follower.position.ts;
  }

  get subscribers(): number {
    return this.fanout.size;
  }

  append(drafts: readonly Unsequenced[]): Promise<Envelope[]> {
    if (this.closed) return Promise.reject(new JournalError('journal is closed', 'closed'));
    const broken = this.follower.broken;
    if (broken) return Promise.reject(broken);
    if (drafts.length === 0) return Promise.resolve([]);
    const work = this.appendNow(drafts);
    this.inflight.add(work);
    void work.catch(() => {}).finally(() => this.inflight.delete(work));
    return work;
  }

  private async appendNow(drafts: readonly Unsequenced[]): Promise<Envelope[]> {
    // What this instance had published when the caller decided: see append-guards.ts.
    const committed = await this.appender.append(drafts, this.follower.position.seq);
    this.follower.offer(committed);
    await this.follower.waitFor(committed.rows[committed.rows.length - 1]!.seq, this.options.publishTimeoutMs ?? 5_000).catch((error: unknown) => {
      // committed already: whatever went wrong while reading it back, it is recorded
      const { message, code } = error as JournalError;
      throw new JournalError(message, code === 'corrupt' ? 'corrupt' : 'unavailable', { cause: error, outcome: 'recorded' });
    });
    return committed.events;
  }

  async read(q: ReadQuery): Promise<Envelope[]> {
    const after = Math.max(0, q.after);
    const limit = Math.max(0, q.limit);
    const upTo = this.lastSeq;
    if (limit === 0 || after >= upTo) return [];
    const params: unknown[] = [after, upTo, limit];
    let filter = '';
    if (q.tenant !== undefined) {
      params.push(q.tenant);
      filter += ` AND tenant = $${params.length}`;
    }
    if (q.type !== undefined) {
      params.push(q.type);
      filter += ` AND type = $${params.length}`;
    }
    try {
      // Only what this instance has published: a page never runs ahead of lastSeq.
      const { rows } = await this.options.pool.query<{ body: string }>(
        `SELECT body FROM ${this.options.names.table('events')} WHERE seq > $1 AND seq <= $2${filter} ORDER BY seq LIMIT $3`,
        params,
      );
      return rows.map((r) => parseBody(r.body));
    } catch (error) {
      throw unavailable('reading the journal failed', error);
    }
  }

  // Walks the chain from a verified point up to the published end, for start-up.
  async replay(from: Head, onEvent: (event: Envelope) => void, pageSize = 5_000): Promise<Head> {
    let head = from;
    const upTo = this.lastSeq;
    while (head.seq < upTo) {
      const rows = await readRows(this.options.pool, this.options.names, head.seq, upTo, pageSize);
      if (rows.length === 0) break;
      for (const row of rows) {
        if (row.seq !== head.seq + 1 || chainHash(head.hash, row.body) !== row.hash) {
          throw new JournalError(
            `the postgres journal is corrupt at seq ${head.seq + 1}: ${row.seq !== head.seq + 1 ? 'rows are missing' : 'the hash does not match'}. Run "command-center verify".`,
            'corrupt',
          );
        }
        const event = parseBody(row.body);
        onEvent(event);
        head = { seq: row.seq, hash: row.hash, ts: event.ts };
      }
    }
    return head;
  }

  subscribe(after: number, listener: Listener, onError?: (error: Error) => void): Subscription {
    return this.fanout.subscribe(this, after, listener, onError);
  }

  // Waits until this instance has published everything committed so far, by anyone.
  async sync(): Promise<void> {
    let head: Head;
    try {
      head = await readHead(this.options.pool, this.options.names);
    } catch (error) {
      throw unavailable('reading the journal failed', error);
    }
    this.follower.wake(head.seq);
    await this.follower.waitFor(head.seq, this.options.publishTimeoutMs ?? 5_000);
  }

  get position(): Head {
    return this.follower.position;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // appends in flight finish (committed and published) before the reader stops
    await Promise.allSettled([...this.inflight]);
    await this.appender.drain();
    await this.listener.stop();
    await this.follower.stop();
  }
}
