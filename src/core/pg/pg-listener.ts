import pg from 'pg';
import type { Logger } from '../logger.ts';

export interface PgListenerOptions {
  connectionString: string;
  channel: string;
  log: Logger;
  // a NOTIFY payload, or null after (re)connecting: anything may have been missed meanwhile
  onWake: (payload: string | null) => void;
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

// LISTEN on a dedicated connection, reconnecting by itself. Only a wake-up: the reader
// always reads the table, so a notification lost while reconnecting costs a little latency.
export class PgListener {
  private client: pg.Client | null = null;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private backoff: number;
  private connected = false;

  constructor(private readonly options: PgListenerOptions) {
    this.backoff = options.minBackoffMs ?? 100;
  }

  get listening(): boolean {
    return this.connected;
  }

  start(): void {
    void this.connect();
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const client = new pg.Client({ connectionString: this.options.connectionString, keepAlive: true, application_name: 'command-center-listen' });
    this.client = client;
    let lost = false;
    const onLost = (error?: Error) => {
      if (lost) return;
      lost = true;
      this.connected = false;
      if (this.client === client) this.client = null;
      client.end().catch(() => {});
      if (this.stopped) return;
      this.options.log.warn('postgres notifications lost; reconnecting', { error: error?.message, inMs: this.backoff });
      this.schedule();
    };
    client.on('error', onLost);
    client.on('end', () => onLost());
    client.on('notification', (message) => this.options.onWake(message.payload ?? null));
    try {
      await client.connect();
      await client.query(`LISTEN "${this.options.channel}"`);
      if (this.stopped) {
        await client.end().catch(() => {});
        return;
      }
      this.connected = true;
      this.backoff = this.options.minBackoffMs ?? 100;
      this.options.onWake(null);
    } catch (error) {
      onLost(error as Error);
    }
  }

  private schedule(): void {
    if (this.timer || this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.connect();
    }, this.backoff);
    this.timer.unref();
    this.backoff = Math.min(this.backoff * 2, this.options.maxBackoffMs ?? 5_000);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const client = this.client;
    this.client = null;
    this.connected = false;
    await client?.end().catch(() => {});
  }
}
