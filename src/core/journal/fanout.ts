import type { Envelope } from '../domain/events.ts';
import type { Journal, Listener, Subscription } from './journal.ts';

// Shared subscribe() for every Journal: register live first, replay history from the
// journal, then drain what arrived meanwhile, de-duplicating by seq. Listeners never see
// an event twice or out of order.
export class Fanout {
  private readonly listeners = new Set<(events: readonly Envelope[]) => void>();

  get size(): number {
    return this.listeners.size;
  }

  publish(events: readonly Envelope[]): void {
    for (const listener of this.listeners) {
      // One broken listener must not stop delivery to the others or the writer.
      try {
        listener(events);
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
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
    this.listeners.add(live);
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
      catchUp().catch((error: unknown) => {
        this.listeners.delete(live);
        closed = true;
        onError?.(error instanceof Error ? error : new Error(String(error)));
      });
    }
    return {
      close: () => {
        closed = true;
        this.listeners.delete(live);
      },
    };
  }
}
