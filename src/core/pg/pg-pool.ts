import pg from 'pg';
import { type AppendOutcome, JournalError } from '../journal/journal.ts';
import type { Logger } from '../logger.ts';

export interface PgPoolOptions {
  connectionString: string;
  log: Logger;
  max?: number;
  // how long an append may wait for a connection before it fails with 503
  connectTimeoutMs?: number;
  queryTimeoutMs?: number;
  applicationName?: string;
}

// bigint columns (seq) come back as numbers: a journal never nears 2^53 events.
const BIGINT_OID = 20;
const parseBigint = (text: string) => Number(text);

export const createPgPool = (options: PgPoolOptions): pg.Pool => {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.max ?? 6,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 2_000,
    query_timeout: options.queryTimeoutMs ?? 15_000,
    idleTimeoutMillis: 30_000,
    application_name: options.applicationName ?? 'command-center',
    keepAlive: true,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === BIGINT_OID ? parseBigint : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  // An idle connection dropped by a database restart emits 'error'; unheard, it would end the process.
  pool.on('error', (error) => options.log.warn('postgres connection lost; the pool reconnects on demand', { error: error.message }));
  return pool;
};

const ignore = () => {};

// A checked-out client can also emit 'error' between two queries (the server went away);
// the next query fails anyway, so the event itself only needs a listener.
export const withClient = async <T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> => {
  const client = await pool.connect();
  client.on('error', ignore);
  let broken: Error | undefined;
  try {
    return await work(client);
  } catch (error) {
    if (isConnectionError(error)) broken = error as Error;
    throw error;
  } finally {
    client.off('error', ignore);
    client.release(broken);
  }
};

const CONNECTION_CODES = new Set(['57P01', '57P02', '57P03', '53300', '53400', '08000', '08001', '08003', '08004', '08006', '08007']);
const NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

// The database is down, restarting or unreachable, as opposed to refusing this statement.
export const isConnectionError = (error: unknown): boolean => {
  const e = error as { code?: string; message?: string } | null;
  if (!e) return false;
  if (e.code && (CONNECTION_CODES.has(e.code) || NODE_CODES.has(e.code))) return true;
  const message = e.message ?? '';
  return /Connection terminated|connection timeout|timeout exceeded when trying to connect|Query read timeout|Client has encountered a connection error|not queryable/i.test(
    message,
  );
};

export const unavailable = (what: string, error: unknown, outcome: AppendOutcome = 'not-recorded'): JournalError =>
  new JournalError(`${what}: the database is unavailable (${(error as Error)?.message ?? String(error)})`, 'unavailable', { cause: error, outcome });
