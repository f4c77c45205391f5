import type pg from 'pg';
import type { Envelope } from '../domain/events.ts';
import { JournalError } from '../journal/journal.ts';
import { chainHash } from '../journal/line-codec.ts';
import type { Logger } from '../logger.ts';
import { type EventRow, type Head, parseBody, readRows } from './event-rows.ts';
import type { Committed } from './pg-appender.ts';
import type { PgNames } from './pg-names.ts';

export interface FollowerOptions {
  pool: pg.Pool;
  names: PgNames;
  head: Head;
  log: Logger;
  publish: (events: readonly Envelope[]) => void;
  // the slow poll that covers lost notifications
  pollMs?: number;
  pageSize?: number;
}

interface Waiter {
  seq: number;
  resolve: () => void;
  reject: (error: Error) => void;
}

// This instance's reader of the shared table: it publishes every committed event to local
// subscribers exactly once, in seq order, checking the hash chain as it goes. Rows this
// process wrote are handed over directly; the rest are read from the table after a NOTIFY,
// a reconnect or the slow poll, always from the last published seq, so nothing is missed.
export class PgFollower {
  private head: Head;
  // rows handed over by this process's writer: its own (with their events) and the ones
  // other instances committed just before them (read under the append lock; checked here)
  private readonly known = new Map<number, { row: EventRow; event?: Envelope }>();
  // highest seq known to be committed (from NOTIFY payloads and own commits)
  private target = 0;
  // woken without knowing how far: read the table once more
  private unknown = true;
  private running: Promise<void> | null = null;
  private again = false;
  private waiters: Waiter[] = [];
  private failure: JournalError | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readFailing = false;
  private stopped = false;

  constructor(private readonly options: FollowerOptions) {
    this.head = options.head;
    this.target = options.head.seq;
  }

  get position(): Head {
    return this.head;
  }

  get broken(): JournalError | null {
    return this.failure;
  }

  start(): void {
    this.timer = setInterval(() => this.wake(), this.options.pollMs ?? 1_000);
    this.timer.unref();
    this.wake();
  }

  // seq: the last seq a NOTIFY announced; absent: unknown, read the table anyway
  wake(seq?: number): void {
    if (seq === undefined || Number.isNaN(seq)) this.unknown = true;
    else if (seq <= this.head.seq) return;
    else this.target = Math.max(this.target, seq);
    this.pump();
  }

  offer(committed: Committed): void {
    for (const row of committed.before) {
      if (row.seq > this.head.seq && !this.known.has(row.seq)) this.known.set(row.seq, { row });
    }
    committed.rows.forEach((row, i) => {
      if (row.seq > this.head.seq) this.known.set(row.seq, { row, event: committed.events[i]! });
      this.target = Math.max(this.target, row.seq);
    });
    this.pump();
  }

  waitFor(seq: number, timeoutMs: number): Promise<void> {
    if (this.head.seq >= seq) return Promise.resolve();
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        seq,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(
          new JournalError(
            `the change was committed as seq ${seq}, but this instance could not read the events before it within ${timeoutMs} ms (database unreachable?); it will appear once the database answers`,
            'unavailable',
          ),
        );
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  private pump(): void {
    if (this.stopped || this.failure) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.run().finally(() => {
      this.running = null;
      if (this.again) {
        this.again = false;
        this.pump();
      }
    });
  }

  private async run(): Promise<void> {
    const pageSize = this.options.pageSize ?? 1_000;
    while (!this.failure && !this.stopped) {
      const handed: Envelope[] = [];
      for (let next = this.known.get(this.head.seq + 1); next; next = this.known.get(this.head.seq + 1)) {
        this.known.delete(next.row.seq);
        if (!next.event && chainHash(this.head.hash, next.row.body) !== next.row.hash) {
          if (handed.length > 0) this.deliver(handed);
          this.fail(next.row);
          return;
        }
        const event = next.event ?? parseBody(next.row.body);
        this.head = { seq: next.row.seq, hash: next.row.hash, ts: event.ts };
        handed.push(event);
      }
      if (handed.length > 0) {
        this.deliver(handed);
        continue;
      }
      if (!this.unknown && this.target <= this.head.seq) return;
      this.unknown = false;
      let rows: EventRow[];
      try {
        rows = await readRows(this.options.pool, this.options.names, this.head.seq, Number.MAX_SAFE_INTEGER, pageSize);
        if (this.readFailing) this.options.log.info('reading the journal from postgres again', { seq: this.head.seq });
        this.readFailing = false;
      } catch (error) {
        if (!this.readFailing) this.options.log.warn('cannot read the journal from postgres; retrying', { error: (error as Error).message });
        this.readFailing = true;
        // the slow poll (or the next NOTIFY) tries again
        this.unknown = true;
        return;
      }
      if (rows.length === 0) {
        this.target = this.head.seq;
        return;
      }
      const events: Envelope[] = [];
      for (const row of rows) {
        if (row.seq !== this.head.seq + 1 || chainHash(this.head.hash, row.body) !== row.hash) {
          if (events.length > 0) this.deliver(events);
          this.fail(row);
          return;
        }
        const known = this.known.get(row.seq);
        this.known.delete(row.seq);
        const event = known?.event ?? parseBody(row.body);
        this.head = { seq: row.seq, hash: row.hash, ts: event.ts };
        events.push(event);
      }
      this.deliver(events);
      if (rows.length === pageSize) this.unknown = true;
    }
  }

  private deliver(events: readonly Envelope[]): void {
    this.options.publish(events);
    const seq = this.head.seq;
    const done = this.waiters.filter((w) => w.seq <= seq);
    if (done.length === 0) return;
    this.waiters = this.waiters.filter((w) => w.seq > seq);
    for (const w of done) w.resolve();
  }

  private fail(row: EventRow): void {
    const problem =
      row.seq !== this.head.seq + 1
        ? `seq ${row.seq} follows ${this.head.seq} (rows are missing)`
        : `the hash of seq ${row.seq} does not match its event and the chain before it (edited or reordered)`;
    this.failure = new JournalError(`the postgres journal is corrupt: ${problem}. Run "command-center verify".`, 'corrupt');
    this.options.log.error('journal is corrupt; this instance stops reading and writing', { seq: row.seq, problem });
    for (const w of this.waiters.splice(0)) w.reject(this.failure);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    while (this.running) await this.running;
    for (const w of this.waiters.splice(0)) w.reject(new JournalError('journal is closed', 'closed'));
  }
}
