import { signBody, SIGNATURE_HEADER } from '../runners/http-runner.ts';
import type { Logger } from '../logger.ts';
import { delay, type Timers } from '../timers.ts';

export interface Alert {
  id: string;
  type: string;
  tenant: string;
  at: string;
  [key: string]: unknown;
}

export interface AlertWebhookOptions {
  url: string;
  secret?: string | undefined;
  timers: Timers;
  log: Logger;
  fetch?: typeof fetch;
  // alerts waiting to be sent; past it the oldest is dropped (and counted)
  capacity?: number;
  // tries per alert, waiting 1 s, 2 s, 4 s … (at most maxBackoffMs) between them
  attempts?: number;
  maxBackoffMs?: number;
  timeoutMs?: number;
}

export interface AlertCounts {
  sent: number;
  failed: number;
  dropped: number;
  queued: number;
}

// Sends alerts to CC_ALERT_URL, one at a time in order, signed like the import call
// (X-Command-Center-Signature: sha256=<HMAC of the body>). Enqueueing is O(1) and never waits,
// so the scheduler and the journal are never held up by a slow or dead receiver: the queue
// is bounded and drops its oldest alert (counted) when full.
export class AlertWebhook {
  private readonly queue: Alert[] = [];
  private sending: Promise<void> | undefined;
  private stopped = false;
  private readonly abort = new AbortController();
  private readonly tally = { sent: 0, failed: 0, dropped: 0 };

  constructor(private readonly options: AlertWebhookOptions) {}

  get counts(): AlertCounts {
    return { ...this.tally, queued: this.queue.length };
  }

  send(alert: Alert): void {
    if (this.stopped) return;
    if (this.queue.length >= (this.options.capacity ?? 1000)) {
      this.queue.shift();
      this.tally.dropped += 1;
    }
    this.queue.push(alert);
    this.sending ??= this.drain().finally(() => (this.sending = undefined));
  }

  // Resolves once the queue is empty (tests, shutdown with a grace period).
  async idle(): Promise<void> {
    while (this.sending) await this.sending;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort(new Error('stopping'));
    await this.sending?.catch(() => {});
  }

  private async drain(): Promise<void> {
    for (let alert = this.queue.shift(); alert && !this.stopped; alert = this.queue.shift()) {
      if (await this.deliver(alert)) this.tally.sent += 1;
      else if (!this.stopped) this.tally.failed += 1;
    }
  }

  private async deliver(alert: Alert): Promise<boolean> {
    const { url, secret, timers, log } = this.options;
    const attempts = this.options.attempts ?? 6;
    const body = JSON.stringify(alert);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (secret) headers[SIGNATURE_HEADER] = signBody(secret, body);
    for (let attempt = 1; attempt <= attempts && !this.stopped; attempt++) {
      let problem: string;
      try {
        const response = await (this.options.fetch ?? fetch)(url, {
          method: 'POST',
          headers,
          body,
          signal: AbortSignal.any([this.abort.signal, AbortSignal.timeout(this.options.timeoutMs ?? 10_000)]),
        });
        await response.body?.cancel().catch(() => {});
        if (response.ok) return true;
        problem = `answered ${response.status}`;
        // a refusal that another try will not change (bad URL, bad signature): give up now
        if (response.status >= 400 && response.status < 500 && response.status !== 408 && response.status !== 429) attempt = attempts;
      } catch (error) {
        problem = (error as Error).message;
      }
      const last = attempt >= attempts;
      log.warn(last ? 'alert webhook failed; alert dropped' : 'alert webhook failed; trying again', { alert: alert.id, type: alert.type, tenant: alert.tenant, attempt, problem });
      if (!last) await delay(timers, Math.min(1000 * 2 ** (attempt - 1), this.options.maxBackoffMs ?? 60_000), this.abort.signal).catch(() => {});
    }
    return false;
  }
}
