import type { Envelope, Unsequenced } from '../domain/events.ts';
import { Fanout } from './fanout.ts';
import { type Journal, JournalError, type Listener, matches, monotonicTs, type ReadQuery, type Subscription } from './journal.ts';

// For tests and the contract suite's reference: same semantics, no durability.
export class MemoryJournal implements Journal {
  private readonly events: Envelope[] = [];
  private readonly fanout = new Fanout();
  private closed = false;

  get lastSeq(): number {
    return this.events.length;
  }

  get lastTs(): string | null {
    return this.events[this.events.length - 1]?.ts ?? null;
  }

  async append(drafts: readonly Unsequenced[]): Promise<Envelope[]> {
    if (this.closed) throw new JournalError('journal is closed', 'closed');
    const appended = drafts.map((d) => {
      const e = { ...d, seq: this.events.length + 1, ts: monotonicTs(d.ts, this.lastTs) } as Envelope;
      this.events.push(e);
      return e;
    });
    if (appended.length > 0) this.fanout.publish(appended);
    return appended;
  }

  async read(q: ReadQuery): Promise<Envelope[]> {
    const out: Envelope[] = [];
    for (let i = Math.max(0, q.after); i < this.events.length && out.length < q.limit; i++) {
      const e = this.events[i]!;
      if (matches(e, q)) out.push(e);
    }
    return out;
  }

  subscribe(after: number, listener: Listener, onError?: (error: Error) => void): Subscription {
    return this.fanout.subscribe(this, after, listener, onError);
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
