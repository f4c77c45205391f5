import type { ServerResponse } from 'node:http';
import { Hono } from 'hono';
import type { Env } from './context.ts';
import { streamQuery } from './schemas.ts';
import type { SseHub } from './sse-hub.ts';
import { nodeSink, webSink } from './sse-sink.ts';
import { query } from './validate.ts';

export type { SseOptions } from './sse-hub.ts';

const HEADERS = {
  'Content-Type': 'text/event-stream; charset=utf-8',
  'Cache-Control': 'no-cache',
  'X-Accel-Buffering': 'no',
};

// The node-server adapter's marker for "the handler wrote the response itself".
const alreadySent = () => new Response(null, { headers: { 'x-hono-already-sent': 'true' } });

// SSE of DESIGN §8. On the real server the stream is written to the Node response
// directly: 2,000 clients through a web stream each cost more than the floor allows.
export const sseRoutes = (hub: SseHub) => {
  const app = new Hono<Env>();

  app.get('/stream', async (c) => {
    const q = query(c, streamQuery);
    const header = c.req.header('last-event-id')?.trim();
    // A reconnecting EventSource repeats its first URL, so its Last-Event-ID must win.
    const fromHeader = header !== undefined && /^\d{1,15}$/.test(header) ? Number(header) : undefined;
    const after = fromHeader ?? q.after ?? null;
    if (c.req.method === 'HEAD') return c.body(null, 200, HEADERS);
    await hub.settle(after);

    const outgoing = (c.env as { outgoing?: ServerResponse } | undefined)?.outgoing;
    if (outgoing && typeof outgoing.writeHead === 'function') {
      const headers: Record<string, string> = { ...HEADERS };
      c.res.headers.forEach((value, key) => {
        headers[key] = value;
      });
      outgoing.writeHead(200, headers);
      outgoing.flushHeaders();
      hub.open(nodeSink(outgoing), after);
      return alreadySent();
    }
    const { sink, stream } = webSink();
    hub.open(sink, after);
    return new Response(stream, { status: 200, headers: { ...HEADERS, ...Object.fromEntries(c.res.headers) } });
  });

  return app;
};
