import { createHash } from 'node:crypto';

// Every object lives in one schema, so several deployments (or tests) can share a database.
export interface PgNames {
  schema: string;
  // `"schema".table`, ready to paste into SQL
  table(name: string): string;
  // 64-bit key (as a decimal string, pg's bigint) for pg_advisory_*_lock, distinct per purpose
  lockKey(purpose: 'append' | 'migrate'): string;
  // NOTIFY channel for "events were committed"; short and identifier-safe whatever the schema
  channel: string;
  // NOTIFY channel for "a run was requested of the leader"
  runsChannel: string;
}

const SCHEMA = /^[a-z_][a-z0-9_]{0,62}$/;

const digest = (text: string) => createHash('sha256').update(text).digest();

export const pgNames = (schema: string): PgNames => {
  if (!SCHEMA.test(schema)) throw new Error(`"${schema}" is not a valid schema name (lowercase letters, digits, _)`);
  const quoted = `"${schema}"`;
  return {
    schema,
    table: (name) => `${quoted}.${name}`,
    lockKey: (purpose) => digest(`command-center:${purpose}:${schema}`).readBigInt64BE(0).toString(),
    channel: `cc_${digest(schema).toString('hex').slice(0, 24)}`,
    runsChannel: `cc_${digest(schema).toString('hex').slice(0, 24)}_runs`,
  };
};
