import type pg from 'pg';
import type { State } from '../domain/projection.ts';
import type { PgNames } from './pg-names.ts';

export interface PgSnapshot {
  seq: number;
  hash: string;
  state: State;
}

const KEEP = 2;

// The projections as of a seq, so start-up replays only the tail. A snapshot counts only
// if the event row at its seq still carries the hash it recorded.
export class PgSnapshots {
  constructor(
    private readonly pool: pg.Pool,
    private readonly names: PgNames,
  ) {}

  // Newest first, each already checked against the events table.
  async candidates(log: (message: string, fields?: Record<string, unknown>) => void = () => {}): Promise<PgSnapshot[]> {
    const { rows } = await this.pool.query<{ seq: number; hash: string; state: string; matches: boolean }>(
      `SELECT s.seq, s.hash, s.state, (e.hash IS NOT DISTINCT FROM s.hash) AS matches
       FROM ${this.names.table('snapshots')} s LEFT JOIN ${this.names.table('events')} e ON e.seq = s.seq
       ORDER BY s.seq DESC LIMIT ${KEEP}`,
    );
    const out: PgSnapshot[] = [];
    for (const row of rows) {
      if (!row.matches) {
        log('snapshot does not match the events table; ignoring it', { seq: row.seq });
        continue;
      }
      try {
        const state = JSON.parse(row.state) as State;
        if (state.seq === row.seq) out.push({ seq: row.seq, hash: row.hash, state });
        else log('snapshot is not valid; ignoring it', { seq: row.seq });
      } catch {
        log('snapshot is corrupt; ignoring it', { seq: row.seq });
      }
    }
    return out;
  }

  async write(snapshot: PgSnapshot): Promise<void> {
    await this.pool.query(
      `WITH ins AS (
         INSERT INTO ${this.names.table('snapshots')} (seq, hash, state) VALUES ($1, $2, $3) ON CONFLICT (seq) DO NOTHING
       )
       DELETE FROM ${this.names.table('snapshots')}
       WHERE seq < (SELECT min(seq) FROM (SELECT seq FROM ${this.names.table('snapshots')} ORDER BY seq DESC LIMIT ${KEEP - 1}) newest)
         AND seq < $1`,
      [snapshot.seq, snapshot.hash, JSON.stringify(snapshot.state)],
    );
  }
}
