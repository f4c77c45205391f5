// One "instance" for bench/postgres.ts: a PgJournal of its own (pool, LISTEN connection,
// follower) on the shared schema, driven over IPC.
//   append   { ms, concurrency } → appends one event per call for `ms`, reports ops and latencies
//   tick     { count, everyMs }  → appends one event every `everyMs`, stamped with its send time
//   listen   { count }           → reports when each stamped event reached its subscriber
import type { Envelope, Unsequenced } from '../src/core/domain/events.ts';
import { silentLogger } from '../src/core/logger.ts';
import { PgJournal } from '../src/core/pg/pg-journal.ts';
import { pgNames } from '../src/core/pg/pg-names.ts';
import { createPgPool } from '../src/core/pg/pg-pool.ts';

const [url, schema, name] = process.argv.slice(2) as [string, string, string];
const pool = createPgPool({ connectionString: url, log: silentLogger, max: 6 });
const journal = await PgJournal.open({ pool, names: pgNames(schema), connectionString: url, log: silentLogger });
const now = () => performance.timeOrigin + performance.now();

let counter = 0;
const event = (stamp?: number): Unsequenced =>
  ({
    id: `${name}-${counter++}`,
    ts: new Date().toISOString(),
    type: 'run.succeeded',
    tenant: `tenant-${counter % 100}`,
    source: 'scheduler',
    actor: 'scheduler',
    data: { runId: stamp === undefined ? `${name}-${counter}` : `stamp:${stamp}`, durationMs: 1 },
  }) as Unsequenced;

const received: number[] = [];
let wanted = Number.POSITIVE_INFINITY;
let heard: () => void = () => {};
journal.subscribe(journal.lastSeq, (events: readonly Envelope[]) => {
  const at = now();
  for (const e of events) {
    if (e.type === 'run.succeeded' && e.data.runId.startsWith('stamp:')) received.push(at - Number(e.data.runId.slice(6)));
  }
  if (received.length >= wanted) heard();
});

process.on('message', async (m: { type: string; ms?: number; concurrency?: number; count?: number; everyMs?: number }) => {
  if (m.type === 'append') {
    const latencies: number[] = [];
    const deadline = performance.now() + m.ms!;
    const caller = async () => {
      while (performance.now() < deadline) {
        const t = performance.now();
        await journal.append([event()]);
        latencies.push(performance.now() - t);
      }
    };
    await Promise.all(Array.from({ length: m.concurrency! }, caller));
    process.send!({ type: 'appended', latencies });
  } else if (m.type === 'tick') {
    for (let i = 0; i < m.count!; i++) {
      void journal.append([event(now())]);
      await new Promise((resolve) => setTimeout(resolve, m.everyMs));
    }
    process.send!({ type: 'ticked' });
  } else if (m.type === 'listen') {
    wanted = m.count!;
    received.length = 0;
    process.send!({ type: 'listening' });
    await new Promise<void>((resolve) => {
      heard = resolve;
      if (received.length >= wanted) resolve();
    });
    process.send!({ type: 'heard', latencies: received });
  } else if (m.type === 'close') {
    await journal.close();
    await pool.end();
    process.exit(0);
  }
});
process.send!({ type: 'ready' });
