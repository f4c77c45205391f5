import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import type { PgNames } from './pg-names.ts';

// What every instance must agree on (the session signing key, named-token hashes). With
// the file store these live in the data directory; with PostgreSQL, in this table, so a
// browser session signed by one instance is accepted by all.
export interface SharedSecrets {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string): Promise<void>;
  // The first writer wins: instances starting together all end up with the same value.
  getOrCreate(key: string, create: () => string): Promise<string>;
  delete(key: string): Promise<void>;
  // every [key, value] whose key starts with the prefix, in key order
  entries(prefix: string): Promise<Array<[string, string]>>;
}

export const pgSharedSecrets = (pool: pg.Pool, names: PgNames): SharedSecrets => {
  const table = names.table('shared_secrets');
  const get = async (key: string) => {
    const { rows } = await pool.query<{ value: string }>(`SELECT value FROM ${table} WHERE key = $1`, [key]);
    return rows[0]?.value;
  };
  return {
    get,
    async set(key, value) {
      await pool.query(
        `INSERT INTO ${table} (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
        [key, value],
      );
    },
    async getOrCreate(key, create) {
      const existing = await get(key);
      if (existing !== undefined) return existing;
      await pool.query(`INSERT INTO ${table} (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING`, [key, create()]);
      const value = await get(key);
      if (value === undefined) throw new Error(`shared secret "${key}" vanished while it was created`);
      return value;
    },
    async delete(key) {
      await pool.query(`DELETE FROM ${table} WHERE key = $1`, [key]);
    },
    async entries(prefix) {
      const { rows } = await pool.query<{ key: string; value: string }>(
        `SELECT key, value FROM ${table} WHERE left(key, length($1)) = $1 ORDER BY key`,
        [prefix],
      );
      return rows.map((r): [string, string] => [r.key, r.value]);
    },
  };
};

// For tests and single-process use: same semantics, nothing shared.
export const memorySharedSecrets = (): SharedSecrets => {
  const values = new Map<string, string>();
  return {
    get: async (key) => values.get(key),
    set: async (key, value) => void values.set(key, value),
    getOrCreate: async (key, create) => {
      if (!values.has(key)) values.set(key, create());
      return values.get(key)!;
    },
    delete: async (key) => void values.delete(key),
    entries: async (prefix) => [...values].filter(([key]) => key.startsWith(prefix)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  };
};

export const SESSION_KEY = 'session-key';

// The session signing key every instance signs and checks browser sessions with: made by
// whichever instance starts first, then read by the others (the file store keeps it in
// the data directory instead, see loadSessionKey).
export const sharedSessionKey = async (secrets: SharedSecrets): Promise<Buffer> =>
  Buffer.from(await secrets.getOrCreate(SESSION_KEY, () => randomBytes(32).toString('hex')), 'hex');
