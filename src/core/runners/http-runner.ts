import { createHmac } from 'node:crypto';
import type { Clock } from '../clock.ts';
import { RunError, parseRunResult, type Runner, type RunRequest, type RunResult } from './runner.ts';

export interface HttpRunnerOptions {
  // may contain {tenant}
  url: string;
  secret?: string;
  clock: Clock;
  fetch?: typeof fetch;
}

export const SIGNATURE_HEADER = 'X-Command-Center-Signature';
const MAX_RESPONSE_BYTES = 256 * 1024;

// The receiver recomputes this over the exact bytes it received.
export const signBody = (secret: string, body: string): string =>
  `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

// Retry-After is either seconds or an HTTP date.
export const retryAfterMs = (header: string | null, nowMs: number): number | undefined => {
  if (!header) return undefined;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
};

const networkReason = (error: unknown): string => {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message ?? String(error);
};

const readBounded = async (response: Response): Promise<string> => {
  const reader = response.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_RESPONSE_BYTES) {
      await reader.cancel();
      throw new RunError('remote', `import worker answered with more than ${MAX_RESPONSE_BYTES} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
};

// Calls the tenant's import worker: POST { tenant, runId, scheduledFor, trigger, attempt,
// watermark }, signed with HMAC-SHA256 over the body. The scheduler's signal bounds the call.
export const createHttpRunner = (options: HttpRunnerOptions): Runner => {
  const doFetch = options.fetch ?? fetch;
  return {
    name: 'http',
    run: async (req: RunRequest): Promise<RunResult> => {
      const url = options.url.replaceAll('{tenant}', encodeURIComponent(req.tenant));
      const body = JSON.stringify({
        tenant: req.tenant,
        runId: req.runId,
        scheduledFor: req.scheduledFor,
        trigger: req.trigger,
        attempt: req.attempt,
        watermark: req.watermark ?? null,
      });
      const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
      if (options.secret) headers[SIGNATURE_HEADER] = signBody(options.secret, body);
      const timedOut = () => new RunError('timeout', 'the import worker did not answer in time');
      let response: Response;
      try {
        response = await doFetch(url, { method: 'POST', headers, body, signal: req.signal, redirect: 'manual' });
      } catch (error) {
        if (req.signal.aborted) throw timedOut();
        throw new RunError('network', `cannot reach the import worker: ${networkReason(error)}`, { cause: error });
      }
      let text: string;
      try {
        text = await readBounded(response);
      } catch (error) {
        if (error instanceof RunError) throw error;
        if (req.signal.aborted) throw timedOut();
        throw new RunError('network', `the import worker's answer broke off: ${networkReason(error)}`, { cause: error });
      }
      const status = response.status;
      if (status === 401 || status === 403) throw new RunError('auth', `the import worker refused the credentials (${status})`);
      if (status === 429) {
        const wait = retryAfterMs(response.headers.get('retry-after'), options.clock.now());
        const message = `the import worker is rate-limited (429)${wait !== undefined ? `; retry after ${Math.ceil(wait / 1000)} s` : ''}`;
        throw new RunError('rate-limit', message, wait !== undefined ? { retryAfterMs: wait } : {});
      }
      if (status < 200 || status > 299) throw new RunError('remote', `the import worker answered ${status}`);
      let value: unknown = {};
      if (text.trim() !== '') {
        try {
          value = JSON.parse(text);
        } catch {
          throw new RunError('remote', `the import worker answered ${status} with a body that is not JSON`);
        }
      }
      const result = parseRunResult(value);
      if (!result) throw new RunError('remote', `the import worker answered ${status} with an unexpected body (want { imported?, watermark? })`);
      return result;
    },
  };
};
