import type pg from 'pg';
import type { Envelope } from '../domain/events.ts';
import { upcast } from '../domain/upcast.ts';
import { GENESIS_HASH } from '../journal/line-codec.ts';
import type { PgNames } from './pg-names.ts';

// One committed journal entry as the events table holds it.
export interface EventRow {
  seq: number;
  hash: string;
  // the exact event JSON the hash covers
  body: string;
}

export interface Head {
  seq: number;
  hash: string;
  ts: string | null;
}

export const EMPTY_HEAD: Head = { seq: 0, hash: GENESIS_HASH, ts: null };

export const parseBody = (body: string): Envelope => upcast(JSON.parse(body) as Record<string, unknown>);

const headOf = (row: EventRow | undefined): Head =>
  row ? { seq: row.seq, hash: row.hash, ts: (JSON.parse(row.body) as { ts: string }).ts } : EMPTY_HEAD;

export const readHead = async (client: pg.Pool | pg.PoolClient, n: PgNames): Promise<Head> => {
  const { rows } = await client.query<EventRow>(`SELECT seq, hash, body FROM ${n.table('events')} ORDER BY seq DESC LIMIT 1`);
  return headOf(rows[0]);
};

// Opens the transaction every writer shares: whoever holds the lock appends after the
// current last row, so seq is assigned in commit order and no reader ever sees a gap
// (a row becomes visible before the lock is released to the next writer).
export const beginAppend = async (client: pg.PoolClient, n: PgNames): Promise<Head> => {
  const results = (await client.query(
    `BEGIN; SELECT pg_advisory_xact_lock(${n.lockKey('append')}); SELECT seq, hash, body FROM ${n.table('events')} ORDER BY seq DESC LIMIT 1`,
  )) as unknown as pg.QueryResult<EventRow>[];
  return headOf(results[2]?.rows[0]);
};

export const insertRows = async (client: pg.PoolClient, n: PgNames, rows: readonly EventRow[], events: readonly Envelope[]): Promise<void> => {
  await client.query(
    `INSERT INTO ${n.table('events')} (seq, id, ts, type, tenant, source, actor, data, hash, body)
     SELECT s, i, t::timestamptz, ty, te, so, ac, d::jsonb, h, b
     FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[])
       AS u(s, i, t, ty, te, so, ac, d, h, b)`,
    [
      rows.map((r) => r.seq),
      events.map((e) => e.id),
      events.map((e) => e.ts),
      events.map((e) => e.type),
      events.map((e) => e.tenant),
      events.map((e) => e.source),
      events.map((e) => e.actor),
      events.map((e) => JSON.stringify(e.data)),
      rows.map((r) => r.hash),
      rows.map((r) => r.body),
    ],
  );
};

// NOTIFY is transactional: listeners hear it only once the rows are visible.
export const commitAndNotify = async (client: pg.PoolClient, n: PgNames, lastSeq: number): Promise<void> => {
  await client.query(`SELECT pg_notify('${n.channel}', '${lastSeq}'); COMMIT`);
};

export const readRows = async (
  client: pg.Pool | pg.PoolClient,
  n: PgNames,
  after: number,
  upTo: number,
  limit: number,
): Promise<EventRow[]> => {
  const { rows } = await client.query<EventRow>(
    `SELECT seq, hash, body FROM ${n.table('events')} WHERE seq > $1 AND seq <= $2 ORDER BY seq LIMIT $3`,
    [after, upTo, limit],
  );
  return rows;
};
