// The load side of `npm run bench:sse`: opens N SSE connections on loopback (raw sockets,
// far lighter than an EventSource per client, so the load process is not what is
// measured), checks every client gets every seq once in order, and records for each
// delivery the time from the event's append (its ts) to its arrival.
import net from 'node:net';

const [port, clientsArg] = process.argv.slice(2);
const CLIENTS = Number(clientsArg);
const send = (message: object) => process.send!(message);

interface Client {
  last: number;
  received: number;
  missed: number;
  duplicates: number;
}

const clients: Client[] = [];
// every delivery as (seq, arrival); the ts of each seq once
const capacity = CLIENTS * 5000;
const deliveredSeq = new Int32Array(capacity);
const deliveredAt = new Float64Array(capacity);
let deliveries = 0;
const appendTs: number[] = [];
const wallNow = () => performance.timeOrigin + performance.now();
let firstAt = 0;
let lastAt = 0;

// A raw TCP socket speaking HTTP/1.0: the server then sends the body unchunked and the
// load process skips Node's HTTP client, whose per-chunk cost otherwise made the load, not
// the server, the bottleneck at 100,000 deliveries a second.
const connect = (client: Client) =>
  new Promise<void>((resolve, reject) => {
    const socket = net.connect(Number(port), '127.0.0.1', () => {
      socket.write(`GET /api/events/stream HTTP/1.0\r\nHost: 127.0.0.1:${port}\r\nAccept: text/event-stream\r\n\r\n`);
    });
    socket.setEncoding('utf8');
    let buffer = '';
    let inBody = false;
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      if (!inBody) {
        const head = buffer.indexOf('\r\n\r\n');
        if (head < 0) return;
        if (!buffer.startsWith('HTTP/1.1 200')) return reject(new Error(buffer.slice(0, buffer.indexOf('\r\n'))));
        buffer = buffer.slice(head + 4);
        inBody = true;
        resolve();
      }
      // walk the frames by index and keep the tail once (slicing after every frame is quadratic)
      let start = 0;
      let cut: number;
      for (; (cut = buffer.indexOf('\n\n', start)) >= 0; start = cut + 2) {
        const frame = buffer.slice(start, cut);
        if (!frame.startsWith('id: ')) continue;
        const now = wallNow();
        const seq = Number(frame.slice(4, frame.indexOf('\n')));
        if (appendTs[seq] === undefined) appendTs[seq] = Date.parse(/"ts":"([^"]+)"/.exec(frame)?.[1] ?? '');
        if (seq !== client.last + 1) {
          if (seq <= client.last) client.duplicates += 1;
          else client.missed += seq - client.last - 1;
        }
        client.last = Math.max(client.last, seq);
        client.received += 1;
        if (deliveries < capacity) {
          deliveredSeq[deliveries] = seq;
          deliveredAt[deliveries] = now;
          deliveries += 1;
        }
        if (firstAt === 0) firstAt = now;
        lastAt = now;
      }
      buffer = buffer.slice(start);
    });
    socket.on('error', reject);
  });

for (let i = 0; i < CLIENTS; i++) {
  const client: Client = { last: 0, received: 0, missed: 0, duplicates: 0 };
  clients.push(client);
  await connect(client);
}
send({ type: 'connected', clients: clients.length });

const quantiles = (values: Float64Array) => {
  const sorted = values.sort();
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  return { p50: at(0.5), p99: at(0.99), max: sorted[sorted.length - 1] ?? Number.NaN };
};

process.on('message', (message: { type: string; total?: number; publishedAt?: number[] }) => {
  if (message.type !== 'report') return;
  const total = message.total!;
  const fromAppend = new Float64Array(deliveries);
  const fromPublish = new Float64Array(deliveries);
  for (let i = 0; i < deliveries; i++) {
    const seq = deliveredSeq[i]!;
    fromAppend[i] = deliveredAt[i]! - appendTs[seq]!;
    fromPublish[i] = deliveredAt[i]! - (message.publishedAt![seq] ?? Number.NaN);
  }
  const append = quantiles(fromAppend);
  const publish = quantiles(fromPublish);
  let missed = 0;
  let duplicates = 0;
  let clientsMissing = 0;
  for (const c of clients) {
    const short = total - c.last;
    missed += c.missed + Math.max(0, short);
    duplicates += c.duplicates;
    if (c.missed > 0 || short > 0) clientsMissing += 1;
  }
  const delivered = clients.reduce((n, c) => n + c.received, 0);
  send({
    type: 'report',
    delivered,
    deliveriesPerSecond: delivered / ((lastAt - firstAt) / 1000),
    p50ms: append.p50,
    p99ms: append.p99,
    maxMs: append.max,
    fanoutP50ms: publish.p50,
    fanoutP99ms: publish.p99,
    fanoutMaxMs: publish.max,
    missed,
    duplicates,
    clientsMissing,
  });
});
