import type pg from 'pg';
import type { PgNames } from './pg-names.ts';

export interface Migration {
  version: number;
  name: string;
  sql: (n: PgNames) => string;
}

// Append-only: a released migration is never edited; a change is a new version.
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'events',
    // `body` is the exact event JSON the hash covers: jsonb reorders keys and normalises
    // numbers, so `data` alone could not reproduce the chain or an export byte for byte.
    sql: (n) => `
      CREATE TABLE ${n.table('events')} (
        seq bigint PRIMARY KEY,
        id text NOT NULL UNIQUE,
        ts timestamptz NOT NULL,
        type text NOT NULL,
        tenant text NOT NULL,
        source text NOT NULL,
        actor text NOT NULL,
        data jsonb NOT NULL,
        hash char(64) NOT NULL,
        body text NOT NULL
      );
      CREATE INDEX events_tenant_seq ON ${n.table('events')} (tenant, seq);
      -- The last guard against a double run when two instances both think they lead:
      -- one due time of one tenant starts once per attempt (manual runs have no due time).
      CREATE UNIQUE INDEX events_run_once ON ${n.table('events')}
        (tenant, (data->>'scheduledFor'), ((data->>'attempt')::int))
        WHERE type = 'run.started' AND data->>'trigger' <> 'manual';`,
  },
  {
    version: 2,
    name: 'leases, shared secrets, snapshots',
    sql: (n) => `
      CREATE TABLE ${n.table('leases')} (
        name text PRIMARY KEY,
        holder text NOT NULL,
        expires_at timestamptz NOT NULL,
        acquired_at timestamptz NOT NULL
      );
      CREATE TABLE ${n.table('shared_secrets')} (
        key text PRIMARY KEY,
        value text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE ${n.table('snapshots')} (
        seq bigint PRIMARY KEY,
        hash char(64) NOT NULL,
        state text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );`,
  },
  {
    version: 3,
    name: 'run requests',
    // "Run now" asked of an instance that does not lead, for the leader to start
    sql: (n) => `
      CREATE TABLE ${n.table('run_requests')} (
        id text PRIMARY KEY,
        tenant text NOT NULL,
        source text NOT NULL,
        actor text NOT NULL,
        requested_at timestamptz NOT NULL DEFAULT now(),
        claimed_by text,
        answered_at timestamptz,
        run_id text,
        error_code text,
        error_message text
      );`,
  },
];

export interface MigrateResult {
  applied: number[];
  version: number;
}

// Runs on every start. Instances starting together queue on an advisory lock, so each
// migration runs once, inside one transaction with the bookkeeping row.
export const migrate = async (pool: pg.Pool, n: PgNames, migrations: readonly Migration[] = MIGRATIONS): Promise<MigrateResult> => {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(`SELECT pg_advisory_xact_lock(${n.lockKey('migrate')})`);
    await client.query(`CREATE SCHEMA IF NOT EXISTS "${n.schema}"`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${n.table('migrations')} (version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const { rows } = await client.query<{ version: number }>(`SELECT version FROM ${n.table('migrations')} ORDER BY version`);
    const done = new Set(rows.map((r) => r.version));
    const known = Math.max(0, ...migrations.map((m) => m.version));
    const newest = Math.max(0, ...done);
    if (newest > known) {
      throw new Error(
        `schema "${n.schema}" is at version ${newest}, newer than this build knows (${known}); run the newer Command Center or another schema`,
      );
    }
    const applied: number[] = [];
    for (const m of migrations) {
      if (done.has(m.version)) continue;
      await client.query(m.sql(n));
      await client.query(`INSERT INTO ${n.table('migrations')} (version, name) VALUES ($1, $2)`, [m.version, m.name]);
      applied.push(m.version);
    }
    await client.query('COMMIT');
    return { applied, version: Math.max(newest, ...applied) };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
};
