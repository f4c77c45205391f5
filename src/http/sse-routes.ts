import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { Envelope } from '../core/domain/events.ts';
import type { AppDeps, Env } from './context.ts';
import { streamQuery } from './schemas.ts';
import { query } from './validate.ts';

export interface SseOptions {
  heartbeatMs?: number;
  // a client whose unsent backlog passes this many events is cut off; it resumes by id
  maxBacklog?: number;
}

const frame = (e: Envelope) => `id: ${e.seq}\nevent: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`;

export const sseRoutes = (deps: AppDeps, options: SseOptions = {}) => {
  const { store } = deps;
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const maxBacklog = options.maxBacklog ?? 10_000;
  const app = new Hono<Env>();

  app.get('/stream', (c) => {
    const q = query(c, streamQuery);
    const header = c.req.header('last-event-id');
    const fromHeader = header !== undefined && /^\d+$/.test(header.trim()) ? Number(header.trim()) : undefined;
    // A reconnecting EventSource repeats its first URL, so its Last-Event-ID must win.
    const after = fromHeader ?? q.after ?? store.journal.lastSeq;
    c.header('Cache-Control', 'no-cache');
    c.header('X-Accel-Buffering', 'no');
    c.header('Content-Encoding', 'identity');
    return streamSSE(c, async (stream) => {
      await stream.write('retry: 2000\n\n');
      if (after > store.journal.lastSeq) {
        await stream.write(`event: reset\ndata: ${JSON.stringify({ lastSeq: store.journal.lastSeq })}\n\n`);
        return;
      }
      let backlog: string[] = [];
      let writing = false;
      let done: () => void = () => {};
      const finished = new Promise<void>((resolve) => (done = resolve));
      const pump = async () => {
        if (writing) return;
        writing = true;
        try {
          while (backlog.length > 0 && !stream.aborted) {
            const chunk = backlog.join('');
            backlog = [];
            await stream.write(chunk);
          }
        } catch {
          done();
        } finally {
          writing = false;
        }
      };
      const subscription = store.journal.subscribe(
        after,
        (events) => {
          for (const e of events) backlog.push(frame(e));
          if (backlog.length > maxBacklog) {
            backlog = [];
            done();
            return;
          }
          void pump();
        },
        () => done(),
      );
      const heartbeat = setInterval(() => {
        backlog.push(': heartbeat\n\n');
        void pump();
      }, heartbeatMs);
      stream.onAbort(() => done());
      await finished;
      clearInterval(heartbeat);
      subscription.close();
    });
  });

  return app;
};
