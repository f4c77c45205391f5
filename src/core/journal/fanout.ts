import type { Envelope } from '../domain/events.ts';
import type { Journal, Listener, Subscription } from './journal.ts';

// Shared subscribe() for every Journal: register live first, replay history from the
// journal, then drain what arrived meanwhile, de-duplicating by seq. Listeners never see
// an event twice or out of order.
export class Fanout {
  // each live listener with what to do when it throws
  private readonly listeners = new Map<(events: readonly Envelope[]) => void, (error: Error) => void>();

  get size(): number {
    return this.listeners.size;
  }

  publish(events: readonly Envelope[]): void {
    for (const [listener, fail] of this.listeners) {
      // One broken listener must not stop delivery to the others, the writer or the process:
      // it is detached and told through its onError.
      try {
        listener(events);
      } catch (error) {
        this.listeners.delete(listener);
        fail(error instanceof Error ? error : new Error(String(error)));
      }
    }
  }

  subscribe(
    journal: Pick<Journal, 'read' | 'lastSeq'>,
    after: number,
    listener: Listener,
    onError?: (error: Error) => void,
  ): Subscription {
    let delivered = after;
    let buffered: Envelope[] | null = [];
    let closed = false;
    const deliver = (events: readonly Envelope[]) => {
      if (closed) return;
      const fresh = events[0] && events[0].seq <= delivered ? events.filter((e) => e.seq > delivered) : events;
      if (fresh.length === 0) return;
      delivered = fresh[fresh.length - 1]!.seq;
      listener(fresh);
    };
    const live = (events: readonly Envelope[]) => {
      if (buffered) buffered.push(...events);
      else deliver(events);
    };
    const fail = (error: Error) => {
      this.listeners.delete(live);
      closed = true;
      if (onError) onError(error);
      else process.stderr.write(`${JSON.stringify({ level: 'error', msg: 'journal listener failed and was detached', error: error.message })}\n`);
    };
    this.listeners.set(live, fail);
    const catchUp = async () => {
      const PAGE = 1000;
      while (!closed && delivered < journal.lastSeq) {
        const page = await journal.read({ after: delivered, limit: PAGE });
        if (page.length === 0) break;
        deliver(page);
      }
      const pending = buffered ?? [];
      buffered = null;
      deliver(pending);
    };
    if (after >= journal.lastSeq) {
      buffered = null;
    } else {
      catchUp().catch((error: unknown) => fail(error instanceof Error ? error : new Error(String(error))));
    }
    return {
      close: () => {
        closed = true;
        this.listeners.delete(live);
      },
    };
  }
}
