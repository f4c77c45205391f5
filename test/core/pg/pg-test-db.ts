import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { silentLogger } from '../../../src/core/logger.ts';
import { migrate } from '../../../src/core/pg/migrations.ts';
import { type PgNames, pgNames } from '../../../src/core/pg/pg-names.ts';
import { createPgPool } from '../../../src/core/pg/pg-pool.ts';

export const TEST_DATABASE_URL = process.env.CC_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

// Resolved once per test file: is there a PostgreSQL to test against? Without one the
// suite says so loudly and skips; with CC_REQUIRE_PG=1 (CI) a missing server fails instead.
export const pgReachable = async (): Promise<boolean> => {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch (error) {
    if (process.env.CC_REQUIRE_PG === '1') {
      throw new Error(`CC_REQUIRE_PG=1 but PostgreSQL is not reachable at ${TEST_DATABASE_URL}: ${(error as Error).message}`);
    }
    console.warn(
      `\n*** PostgreSQL is not reachable at ${TEST_DATABASE_URL} (${(error as Error).message}).\n` +
        '*** SKIPPING the PostgreSQL store tests. Set CC_REQUIRE_PG=1 to make this a failure.\n',
    );
    return false;
  } finally {
    await client.end().catch(() => {});
  }
};

export const randomSchema = (prefix = 'cc_test'): string => `${prefix}_${randomBytes(6).toString('hex')}`;

export const dropSchema = async (schema: string): Promise<void> => {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
};

export interface TestDb {
  schema: string;
  pool: pg.Pool;
  names: PgNames;
  cleanup(): Promise<void>;
}

// A fresh, migrated schema of its own and a small pool on it; cleanup drops both.
export const testDb = async (options: { poolMax?: number } = {}): Promise<TestDb> => {
  const schema = randomSchema();
  const names = pgNames(schema);
  const pool = createPgPool({ connectionString: TEST_DATABASE_URL, log: silentLogger, max: options.poolMax ?? 4 });
  await migrate(pool, names);
  return {
    schema,
    pool,
    names,
    cleanup: async () => {
      await pool.end().catch(() => {});
      await dropSchema(schema);
    },
  };
};

// One test file restarts the PostgreSQL server. Every other file that uses PostgreSQL holds
// this advisory lock in shared mode while it runs; the restart takes it exclusively, so it
// waits for them, and files that start meanwhile queue behind it (and retry while the
// server is down) instead of failing.
const RESTART_LOCK = 7_440_001;
const LOCK_WAIT_MS = 240_000;

const lockClient = async (mode: 'shared' | 'exclusive'): Promise<pg.Client> => {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    const client = new pg.Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 2_000 });
    client.on('error', () => {});
    try {
      await client.connect();
      await client.query(mode === 'shared' ? `SELECT pg_advisory_lock_shared(${RESTART_LOCK})` : `SELECT pg_advisory_lock(${RESTART_LOCK})`);
      return client;
    } catch (error) {
      await client.end().catch(() => {});
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
};

// For describe(): holds the shared lock from beforeAll to afterAll.
export const holdsDatabase = (hooks: { beforeAll: typeof import('vitest').beforeAll; afterAll: typeof import('vitest').afterAll }) => {
  let client: pg.Client | undefined;
  hooks.beforeAll(async () => {
    client = await lockClient('shared');
  }, LOCK_WAIT_MS + 10_000);
  hooks.afterAll(async () => {
    await client?.end().catch(() => {});
  });
};

export const lockDatabaseExclusively = () => lockClient('exclusive');
