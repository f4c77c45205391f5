import type { Envelope } from '../core/domain/events.ts';
import type { Journal, Subscription } from '../core/journal/journal.ts';
import { type Batch, type ClientLimits, encodeFrames, SseClient } from './sse-client.ts';
import type { SseSink } from './sse-sink.ts';

export interface SseOptions {
  heartbeatMs?: number;
  retryMs?: number;
  maxBufferedBytes?: number;
  maxPendingEvents?: number;
}

const HEARTBEAT = Buffer.from(': heartbeat\n\n');

// Every open event stream. One journal subscription and one heartbeat timer serve them
// all, and exist only while a client is connected. Each batch is encoded once; a write
// to a client never waits, so a slow client costs the others and the writer nothing —
// past its bound it is cut off and resumes from its Last-Event-ID.
export class SseHub {
  private readonly clients = new Set<SseClient>();
  private subscription: Subscription | undefined;
  private heartbeat: ReturnType<typeof setInterval> | undefined;
  private closing = false;
  readonly heartbeatMs: number;
  readonly retryMs: number;
  private readonly limits: ClientLimits;

  constructor(
    private readonly journal: Journal,
    options: SseOptions = {},
  ) {
    this.heartbeatMs = options.heartbeatMs ?? 15_000;
    this.retryMs = options.retryMs ?? 2_000;
    this.limits = { maxBufferedBytes: options.maxBufferedBytes ?? 1024 * 1024, maxPendingEvents: options.maxPendingEvents ?? 50_000 };
  }

  get size(): number {
    return this.clients.size;
  }

  get isClosing(): boolean {
    return this.closing;
  }

  // A client resuming after a seq this instance has not read yet — it was on another
  // instance of a shared (PostgreSQL) store a moment ago — waits until this one catches up,
  // instead of being told the journal was replaced.
  async settle(after: number | null): Promise<void> {
    if (after === null || after <= this.journal.lastSeq || !this.journal.sync) return;
    await this.journal.sync().catch(() => {});
  }

  // Starts a stream after `after` (null: live from now). Returns at once; catching up runs on.
  open(sink: SseSink, after: number | null): void {
    const lastSeq = this.journal.lastSeq;
    const client = new SseClient(sink, after ?? lastSeq, this.limits, (c) => this.remove(c));
    client.send(`retry: ${this.retryMs}\n\n`);
    if (this.closing) {
      client.end();
      return;
    }
    if (after !== null && after > lastSeq) {
      // The journal was replaced: the client must reload its state. Its id moves to ours,
      // so its next reconnect resumes here instead of being told to reset again.
      client.send(`id: ${lastSeq}\nevent: reset\ndata: ${JSON.stringify({ lastSeq })}\n\n`);
      client.moveCursor(lastSeq);
    }
    this.clients.add(client);
    this.start();
    void client.catchUp(this.journal, lastSeq);
  }

  // Graceful shutdown: end every stream cleanly; browsers reconnect to the next server.
  closeAll(): void {
    this.closing = true;
    for (const client of [...this.clients]) client.end();
  }

  private remove(client: SseClient): void {
    this.clients.delete(client);
    if (this.clients.size === 0) this.stop();
  }

  private start(): void {
    if (this.subscription) return;
    this.subscription = this.journal.subscribe(
      this.journal.lastSeq,
      (events) => this.publish(events),
      () => {
        for (const client of [...this.clients]) client.cut();
      },
    );
    this.heartbeat = setInterval(() => {
      for (const client of [...this.clients]) if (client.isLive) client.send(HEARTBEAT);
    }, this.heartbeatMs);
    this.heartbeat.unref();
  }

  private stop(): void {
    this.subscription?.close();
    this.subscription = undefined;
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }

  private publish(events: readonly Envelope[]): void {
    if (events.length === 0) return;
    const batch: Batch = { events, bytes: encodeFrames(events) };
    for (const client of [...this.clients]) client.push(batch);
  }
}
