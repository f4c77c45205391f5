import readline from 'node:readline';
import type { Config } from './core/config.ts';
import { importIntoFileJournal } from './core/journal/import-file.ts';
import { journalLines } from './core/journal/journal-lines.ts';
import { JournalError } from './core/journal/journal.ts';
import { verifyJournal } from './core/journal/verify.ts';
import type { Logger } from './core/logger.ts';
import { migrate } from './core/pg/migrations.ts';
import { type PgNames, pgNames } from './core/pg/pg-names.ts';
import { createPgPool } from './core/pg/pg-pool.ts';
import { redactUrl } from './core/pg/pg-store.ts';
import { chainNdjson, copyIntoPg, exportPg, schemaExists, verifyPg } from './core/pg/pg-transfer.ts';
import { progressLine } from './core/progress.ts';
import { lockDirectory } from './core/store/lock.ts';
import { dataDirs } from './core/store/data-dir.ts';

type Out = { isTTY?: boolean; write(chunk: string): boolean };

// A pool for one command; `create`: make and migrate the schema if it is missing.
const withPg = async <T>(config: Config, log: Logger, create: boolean, work: (pool: import('pg').Pool, n: PgNames) => Promise<T>): Promise<T> => {
  if (!config.databaseUrl) throw new JournalError('DATABASE_URL is required for the PostgreSQL store', 'unavailable');
  const n = pgNames(config.pgSchema);
  const pool = createPgPool({ connectionString: config.databaseUrl, log, max: 2, queryTimeoutMs: 120_000 });
  try {
    if (create) await migrate(pool, n);
    else if (!(await schemaExists(pool, n))) {
      throw new JournalError(`${redactUrl(config.databaseUrl)} has no Command Center schema "${n.schema}" (CC_PG_SCHEMA)`, 'unavailable');
    }
    return await work(pool, n);
  } finally {
    await pool.end().catch(() => {});
  }
};

// `migrate --to postgres`: copies the file journal into PostgreSQL, verifying the chain.
export const migrateToPostgres = async (config: Config, log: Logger, err: Out): Promise<number> => {
  const dir = dataDirs(config.dataDir).journal;
  const verified = await verifyJournal(dir);
  if (!verified.ok && verified.problem) {
    err.write(`refusing to copy: segment ${verified.problem.segment} line ${verified.problem.line}: ${verified.problem.message}\n`);
    return 1;
  }
  return withPg(config, log, true, async (pool, n) => {
    const progress = progressLine(err, 'copying', verified.lastSeq);
    const report = await copyIntoPg(pool, n, journalLines(dir, verified.lastSeq), (_copied, seq) => progress.update(seq)).finally(() =>
      progress.end(),
    );
    err.write(
      `copied ${report.copied} events into ${n.schema} (${report.present} were already there); ` +
        `the database holds seq 1..${report.lastSeq}, hash chain verified\n`,
    );
    return 0;
  });
};

// Created on the first read: a readline interface made earlier emits lines while the
// caller is still busy elsewhere, and those lines are lost to a later `for await`.
async function* linesOf(input: NodeJS.ReadableStream): AsyncGenerator<string> {
  const lines = readline.createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  try {
    yield* lines;
  } finally {
    lines.close();
  }
}

// `import`: NDJSON (an export) from stdin into the configured store, which must be empty
// (PostgreSQL: or hold a prefix of the same history, so an interrupted import can resume).
export const importEvents = async (config: Config, log: Logger, input: NodeJS.ReadableStream, err: Out): Promise<number> => {
  const lines = chainNdjson(linesOf(input));
  if (config.store === 'postgres') {
    return withPg(config, log, true, async (pool, n) => {
      const report = await copyIntoPg(pool, n, lines);
      err.write(`imported ${report.copied} events into ${n.schema} (${report.present} were already there), seq 1..${report.lastSeq}\n`);
      return 0;
    });
  }
  const lock = lockDirectory(config.dataDir, (m, f) => log.warn(m, f));
  try {
    const written = await importIntoFileJournal(dataDirs(config.dataDir).journal, lines);
    err.write(`imported ${written} events into ${config.dataDir}\n`);
    return 0;
  } finally {
    lock.release();
  }
};

export const exportPostgres = (config: Config, log: Logger, write: (chunk: string) => boolean) =>
  withPg(config, log, false, (pool, n) => exportPg(pool, n, write));

export const verifyPostgres = (config: Config, log: Logger, out: Out): Promise<number> =>
  withPg(config, log, false, async (pool, n) => {
    const started = performance.now();
    const report = await verifyPg(pool, n);
    if (!report.ok && report.problem) {
      out.write(`FAILED: seq ${report.problem.seq}: ${report.problem.message}\n(${report.events} events before it verified)\n`);
      return 1;
    }
    const seconds = (performance.now() - started) / 1000;
    out.write(
      `OK: ${report.events} events in ${n.schema}, seq 1..${report.lastSeq}, hash chain intact ` +
        `(last hash ${report.lastHash.slice(0, 16)}…), ${Math.round(report.events / Math.max(seconds, 1e-6))} events/s\n`,
    );
    return 0;
  });
