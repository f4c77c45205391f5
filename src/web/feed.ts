import type { Envelope, EventType } from '../core/domain/events.ts';
import type { Api } from './api.ts';

// Where new events come from: the SSE stream, or a page of the journal when polling.
// The store decides when to use which; a test hands the store a fake.

export interface StreamHandlers {
  open(): void;
  event(e: Envelope): void;
  // the server's journal is behind our seq (it was replaced): reload everything
  reset(): void;
  // the stream failed or closed; the feed has already shut it
  error(): void;
}

export interface Stream {
  close(): void;
}

export interface EventPage {
  events: Envelope[];
  lastSeq: number;
}

export interface Feed {
  stream(after: number, on: StreamHandlers): Stream;
  page(after: number, limit?: number): Promise<EventPage>;
}

// Every SSE frame is named after its event type, so each needs its own listener.
// Listed here rather than imported: the domain's list lives beside its zod schemas.
const TYPES: Record<EventType, true> = {
  'schedule.created': true,
  'schedule.updated': true,
  'schedule.paused': true,
  'schedule.resumed': true,
  'schedule.deleted': true,
  'run.started': true,
  'run.succeeded': true,
  'run.failed': true,
  'run.skipped': true,
  'journal.pruned': true,
};

export interface FeedOptions {
  api: Api;
  EventSource?: typeof globalThis.EventSource;
}

export const createFeed = ({ api, EventSource = globalThis.EventSource }: FeedOptions): Feed => ({
  stream(after, on) {
    const source = new EventSource(`${api.base}/api/events/stream?after=${after}`, { withCredentials: true });
    let closed = false;
    const close = () => {
      closed = true;
      source.close();
    };
    const onEvent = (message: MessageEvent<string>) => {
      if (closed) return;
      on.event(JSON.parse(message.data) as Envelope);
    };
    for (const type of Object.keys(TYPES)) source.addEventListener(type, onEvent);
    source.addEventListener('reset', () => {
      if (closed) return;
      close();
      on.reset();
    });
    source.onopen = () => {
      if (!closed) on.open();
    };
    // EventSource would retry by itself, but the store owns reconnection (and polls meanwhile),
    // so one failure ends this stream and the store decides what comes next.
    source.onerror = () => {
      if (closed) return;
      close();
      on.error();
    };
    return { close };
  },
  page: (after, limit = 1000) => api.get<EventPage>(`/api/events?after=${after}&limit=${limit}`),
});
