import type pg from 'pg';
import { envelope } from '../domain/events.ts';
import type { ChainedLine } from '../journal/journal-lines.ts';
import { JournalError } from '../journal/journal.ts';
import { chainHash, GENESIS_HASH } from '../journal/line-codec.ts';
import { beginAppend, type EventRow, insertAndCommit, parseBody, readHead, readRows } from './event-rows.ts';
import { withClient } from './pg-pool.ts';
import type { PgNames } from './pg-names.ts';

export interface CopyReport {
  copied: number;
  // already in the database before the copy (checked by hash, not copied again)
  present: number;
  lastSeq: number;
}

const BATCH = 1_000;

const diverged = (seq: number) =>
  new JournalError(
    `the database and the source disagree at or before seq ${seq}: they hold different histories. Nothing was copied; use an empty schema (CC_PG_SCHEMA) or the matching journal.`,
    'corrupt',
  );

// Copies chained lines into the events table, skipping what is already there. Re-running
// after an interruption copies only what is missing; a database whose history is not a
// prefix of the source's (or the other way round) is refused, never merged.
export const copyIntoPg = async (
  pool: pg.Pool,
  n: PgNames,
  lines: AsyncIterable<ChainedLine>,
  onProgress: (copied: number, seq: number) => void = () => {},
): Promise<CopyReport> => {
  const head = await readHead(pool, n);
  let present = 0;
  let copied = 0;
  let last: ChainedLine | undefined;
  let batch: ChainedLine[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const rows: EventRow[] = batch.map((l) => ({ seq: l.seq, hash: l.hash, body: l.eventJson }));
    await withClient(pool, async (client) => {
      try {
        const { head: now } = await beginAppend(client, n, rows[0]!.seq - 1);
        // someone appended meanwhile (a server running on this schema): the histories part
        if (now.seq !== rows[0]!.seq - 1) throw diverged(now.seq);
        await insertAndCommit(client, n, rows, batch.map((l) => parseBody(l.eventJson)));
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      }
    });
    copied += batch.length;
    onProgress(copied, batch[batch.length - 1]!.seq);
    batch = [];
  };
  for await (const line of lines) {
    last = line;
    if (line.seq < head.seq) {
      present += 1;
      continue;
    }
    if (line.seq === head.seq) {
      // the chain makes one hash stand for every line before it
      if (line.hash !== head.hash) throw diverged(line.seq);
      present += 1;
      continue;
    }
    batch.push(line);
    if (batch.length >= BATCH) await flush();
  }
  await flush();
  if (last && last.seq < head.seq) {
    const { rows } = await pool.query<{ hash: string }>(`SELECT hash FROM ${n.table('events')} WHERE seq = $1`, [last.seq]);
    if (rows[0]?.hash !== last.hash) throw diverged(last.seq);
  }
  return { copied, present, lastSeq: Math.max(head.seq, last?.seq ?? 0) };
};

// NDJSON lines of events (an export) as chained lines: each must be an event with the next
// seq. Kept byte for byte, so the chain and a later export come out identical.
export async function* chainNdjson(lines: AsyncIterable<string>): AsyncGenerator<ChainedLine> {
  let hash = GENESIS_HASH;
  let seq = 0;
  let lineNo = 0;
  for await (const raw of lines) {
    lineNo += 1;
    const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (text.trim() === '') continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new JournalError(`input line ${lineNo} is not JSON`, 'corrupt');
    }
    const checked = envelope.safeParse(parsed);
    if (!checked.success) {
      const issue = checked.error.issues[0];
      throw new JournalError(`input line ${lineNo} is not an event: ${issue?.path.join('.') || '(event)'}: ${issue?.message}`, 'corrupt');
    }
    if (checked.data.seq !== seq + 1) throw new JournalError(`input line ${lineNo} has seq ${checked.data.seq}, expected ${seq + 1}`, 'corrupt');
    seq += 1;
    hash = chainHash(hash, text);
    yield { seq, hash, eventJson: text };
  }
}

export interface PgVerifyReport {
  ok: boolean;
  events: number;
  lastSeq: number;
  lastHash: string;
  problem?: { seq: number; message: string };
}

// Walks the whole chain in seq order; `onRow` sees each verified event's exact JSON.
export const verifyPg = async (pool: pg.Pool, n: PgNames, onRow: (body: string) => void = () => {}): Promise<PgVerifyReport> => {
  let seq = 0;
  let hash = GENESIS_HASH;
  for (;;) {
    const rows = await readRows(pool, n, seq, Number.MAX_SAFE_INTEGER, 5_000);
    if (rows.length === 0) return { ok: true, events: seq, lastSeq: seq, lastHash: hash };
    for (const row of rows) {
      if (row.seq !== seq + 1) return { ok: false, events: seq, lastSeq: seq, lastHash: hash, problem: { seq: seq + 1, message: `missing; the next row is seq ${row.seq}` } };
      if (chainHash(hash, row.body) !== row.hash) {
        return { ok: false, events: seq, lastSeq: seq, lastHash: hash, problem: { seq: row.seq, message: 'hash does not match the event and the chain before it (edited or reordered)' } };
      }
      seq = row.seq;
      hash = row.hash;
      onRow(row.body);
    }
  }
};

// NDJSON of the events, verified on the way, byte for byte what the file store exports.
export const exportPg = async (pool: pg.Pool, n: PgNames, write: (chunk: string) => boolean | void): Promise<number> => {
  let buffer = '';
  const report = await verifyPg(pool, n, (body) => {
    buffer += `${body}\n`;
    if (buffer.length > 1 << 16) {
      write(buffer);
      buffer = '';
    }
  });
  if (buffer) write(buffer);
  if (!report.ok && report.problem) throw new Error(`export stopped at seq ${report.problem.seq}: ${report.problem.message}`);
  return report.events;
};

export const schemaExists = async (pool: pg.Pool, n: PgNames): Promise<boolean> => {
  const { rows } = await pool.query(`SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name = 'events'`, [n.schema]);
  return rows.length > 0;
};
