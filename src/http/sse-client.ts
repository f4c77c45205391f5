import type { Envelope } from '../core/domain/events.ts';
import type { Journal } from '../core/journal/journal.ts';
import type { SseSink } from './sse-sink.ts';

export const frame = (e: Envelope): string => `id: ${e.seq}\nevent: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`;
export const encodeFrames = (events: readonly Envelope[]): Uint8Array => Buffer.from(events.map(frame).join(''), 'utf8');

// A batch of live events, encoded once for every client.
export interface Batch {
  events: readonly Envelope[];
  bytes: Uint8Array;
}

export interface ClientLimits {
  // bytes a client may leave unread before it is cut off (it resumes from its last id)
  maxBufferedBytes: number;
  // live events a client may collect while it is still catching up
  maxPendingEvents: number;
}

const PAGE = 500;

// One stream: catch up from the journal after `cursor`, honouring backpressure, while live
// batches collect in `pending`; then hand over to live. `cursor` is the last seq written,
// so nothing is sent twice and nothing is skipped, however the two overlap.
export class SseClient {
  private live = false;
  private pending: Envelope[] = [];
  private closed = false;

  constructor(
    private readonly sink: SseSink,
    private cursor: number,
    private readonly limits: ClientLimits,
    private readonly onGone: (client: SseClient) => void,
  ) {
    sink.onClose(() => this.gone());
  }

  get isLive(): boolean {
    return this.live;
  }

  async catchUp(journal: Pick<Journal, 'read'>, upTo: number): Promise<void> {
    try {
      while (!this.closed && this.cursor < upTo) {
        const page = await journal.read({ after: this.cursor, limit: PAGE });
        if (page.length === 0) break;
        this.write(page);
        if (this.sink.buffered > 0) await this.sink.drained();
      }
      if (this.closed) return;
      const pending = this.pending;
      this.pending = [];
      this.live = true;
      this.write(pending);
    } catch {
      this.cut();
    }
  }

  push(batch: Batch): void {
    if (this.closed) return;
    if (!this.live) {
      this.pending.push(...batch.events);
      if (this.pending.length > this.limits.maxPendingEvents) this.cut();
      return;
    }
    const first = batch.events[0];
    if (first && first.seq > this.cursor) {
      this.sink.write(batch.bytes);
      this.cursor = batch.events[batch.events.length - 1]!.seq;
      this.checkBacklog();
    } else {
      this.write(batch.events);
    }
  }

  send(text: string | Uint8Array): void {
    if (this.closed) return;
    this.sink.write(typeof text === 'string' ? Buffer.from(text, 'utf8') : text);
    this.checkBacklog();
  }

  moveCursor(seq: number): void {
    this.cursor = seq;
  }

  end(): void {
    if (this.closed) return;
    this.sink.end();
    this.gone();
  }

  cut(): void {
    if (this.closed) return;
    this.sink.destroy();
    this.gone();
  }

  private write(events: readonly Envelope[]): void {
    const fresh = events.filter((e) => e.seq > this.cursor);
    if (fresh.length === 0) return;
    this.sink.write(encodeFrames(fresh));
    this.cursor = fresh[fresh.length - 1]!.seq;
    this.checkBacklog();
  }

  private checkBacklog(): void {
    if (this.live && this.sink.buffered > this.limits.maxBufferedBytes) this.cut();
  }

  private gone(): void {
    if (this.closed) return;
    this.closed = true;
    this.pending = [];
    this.onGone(this);
  }
}
