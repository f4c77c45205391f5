import http from 'node:http';
import type { Socket } from 'node:net';

// Sits between the browser and the server, passing everything through, and can cut the
// event stream and refuse new ones: how the stream-failure test breaks the connection
// without a hook in the server. Host and Origin are rewritten so the server sees itself.
export const startCuttingProxy = async (target: string) => {
  const to = new URL(target);
  let refusing = false;
  let down = false;
  // rewrites the UI's index.html on its way to the browser: a stand-in for a new build
  let rewriteIndex: ((html: string) => string) | null = null;
  const streams = new Set<Socket>();
  const server = http.createServer((req, res) => {
    // the server as if unreachable: every connection dropped
    if (down) return void req.socket.destroy();
    const isStream = (req.url ?? '').startsWith('/api/events/stream');
    if (isStream && refusing) {
      res.writeHead(503, { 'content-type': 'application/problem+json' });
      res.end(JSON.stringify({ type: 'about:blank', title: 'Service Unavailable', status: 503, detail: 'stream refused by the test proxy' }));
      return;
    }
    const headers = { ...req.headers, host: to.host };
    if (headers.origin) headers.origin = to.origin;
    const isIndex = req.method === 'GET' && /^\/(\?|$)/.test(req.url ?? '');
    const upstream = http.request({ host: to.hostname, port: to.port, method: req.method, path: req.url, headers }, (answer) => {
      const rewrite = rewriteIndex;
      if (!isIndex || !rewrite) {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        return;
      }
      const chunks: Buffer[] = [];
      answer.on('data', (c: Buffer) => chunks.push(c));
      answer.on('end', () => {
        const body = rewrite(Buffer.concat(chunks).toString('utf8'));
        res.writeHead(answer.statusCode ?? 502, { ...answer.headers, 'content-length': Buffer.byteLength(body) });
        res.end(body);
      });
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
    if (isStream) {
      streams.add(req.socket);
      req.socket.once('close', () => streams.delete(req.socket));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    // cut every open stream and refuse new ones until restored
    cut() {
      refusing = true;
      for (const socket of streams) socket.destroy();
      streams.clear();
    },
    restore() {
      refusing = false;
      down = false;
    },
    // drop every request, as if the server were gone
    takeDown() {
      down = true;
      this.cut();
    },
    rewriteIndex(fn: ((html: string) => string) | null) {
      rewriteIndex = fn;
    },
    get openStreams() {
      return streams.size;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of streams) socket.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};
