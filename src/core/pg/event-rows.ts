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

export interface RecentRow extends EventRow {
  tenant: string;
}

export interface AppendStart {
  head: Head;
  // the rows after `since`, oldest first: what other instances appended meanwhile
  recent: RecentRow[];
  // false when there were more than could be fetched at once (the oldest are missing)
  complete: boolean;
}

const RECENT_LIMIT = 2_000;

// Opens the transaction every writer shares: whoever holds the lock appends after the
// current last row, so seq is assigned in commit order and no reader ever sees a gap
// (a row becomes visible before the lock is released to the next writer). The same round
// trip fetches the rows since `since` (where this instance's reader stands): the guards
// check them, and the reader gets them without reading the table again.
export const beginAppend = async (client: pg.PoolClient, n: PgNames, since: number): Promise<AppendStart> => {
  if (!Number.isSafeInteger(since) || since < 0) throw new Error(`since must be a seq, not ${since}`);
  const results = (await client.query(
    `BEGIN; SELECT pg_advisory_xact_lock(${n.lockKey('append')}); ` +
      `SELECT seq, hash, body, tenant FROM ${n.table('events')} WHERE seq >= ${since} ORDER BY seq DESC LIMIT ${RECENT_LIMIT}`,
  )) as unknown as pg.QueryResult<RecentRow>[];
  const rows = (results[2]?.rows ?? []).reverse();
  const complete = rows.length === 0 || rows[0]!.seq <= Math.max(since, 1);
  return { head: headOf(rows[rows.length - 1]), recent: rows.filter((r) => r.seq > since), complete };
};

// Inserts the rows, wakes the other instances and commits, in one round trip while the
// append lock is held: values go in as escaped literals, since a statement with bound
// parameters cannot share a query string with others. NOTIFY is transactional, so the
// listeners hear it only once the rows are visible.
export const insertAndCommit = async (client: pg.PoolClient, n: PgNames, rows: readonly EventRow[], events: readonly Envelope[]): Promise<void> => {
  const lit = (text: string) => client.escapeLiteral(text);
  const values = rows.map((r, i) => {
    const e = events[i]!;
    if (!Number.isSafeInteger(r.seq)) throw new Error(`seq ${r.seq} is not an integer`);
    return `(${r.seq},${lit(e.id)},${lit(e.ts)}::timestamptz,${lit(e.type)},${lit(e.tenant)},${lit(e.source)},${lit(e.actor)},${lit(JSON.stringify(e.data))}::jsonb,${lit(r.hash)},${lit(r.body)})`;
  });
  const last = rows[rows.length - 1]!.seq;
  await client.query(
    `INSERT INTO ${n.table('events')} (seq, id, ts, type, tenant, source, actor, data, hash, body) VALUES ${values.join(',')};` +
      `SELECT pg_notify('${n.channel}', '${last}'); COMMIT`,
  );
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
