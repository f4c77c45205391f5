import { parseArgs } from 'node:util';
import { firstStartNotice } from './commands/first-start.ts';
import { replayCommand } from './commands/replay-command.ts';
import { backupCommand, restoreCommand } from './commands/backup-command.ts';
import { stopCommand } from './commands/stop-command.ts';
import { tokenCommand } from './commands/token-command.ts';
import { exportPostgres, importEvents, migrateToPostgres, verifyPostgres } from './cli-transfer.ts';
import { CONFIG_ENV, ConfigError, FLAG_OF, loadConfig } from './core/config.ts';
import { exportJournal } from './core/journal/export.ts';
import { verifyJournal } from './core/journal/verify.ts';
import { createLogger } from './core/logger.ts';
import { startServer } from './serve.ts';
import { dataDirs } from './core/store/data-dir.ts';

const USAGE = `usage: command-center <command> [options]

commands:
  serve              start the server (the default)
  verify             check every segment, line hash, hash chain and seq
  export             write the journal as NDJSON to stdout
  import             read NDJSON (an export) from stdin into an empty store
  migrate --to postgres   copy the file journal into PostgreSQL (DATABASE_URL); re-run to copy what is missing
  token create --name NAME --role viewer|operator | token list | token revoke --name NAME
  replay --seq N | --at ISO   the schedules, audit and summary as they were, as JSON
  stop               stop the server that holds --data-dir (by the pid in its .lock)
  backup <dir>       a consistent, verified copy of --data-dir, taken while the server runs
  restore <dir>      a backup into an empty --data-dir, verified before and after

options (each also an environment variable, see README; flags win):
  ${Object.entries(CONFIG_ENV).map(([key, env]) => `${FLAG_OF(key)} (${env})`).join(', ')}`;

// --data-dir for dataDir, and so on: one flag per configuration key.
const CONFIG_FLAGS = Object.fromEntries(Object.keys(CONFIG_ENV).map((key) => [FLAG_OF(key).slice(2), { type: 'string' as const }]));

const main = async (argv: string[]): Promise<number> => {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      ...CONFIG_FLAGS,
      name: { type: 'string' },
      role: { type: 'string' },
      seq: { type: 'string' },
      at: { type: 'string' },
      to: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const flags: Record<string, string> = {};
  for (const key of Object.keys(CONFIG_ENV)) {
    const value = (values as Record<string, unknown>)[FLAG_OF(key).slice(2)];
    if (typeof value === 'string') flags[key] = value;
  }
  const config = loadConfig(process.env, flags);
  const log = createLogger(config.logLevel);
  const journalDir = dataDirs(config.dataDir).journal;
  const command = positionals[0] ?? 'serve';

  switch (command) {
    case 'serve': {
      const running = await startServer(config, log);
      process.stderr.write(`Command Center is running at ${running.url} (data: ${config.store === 'postgres' ? `postgres schema ${config.pgSchema}` : config.dataDir})\n`);
      const notice = firstStartNotice(running.url, running.generatedTokens);
      if (notice) process.stdout.write(`${notice}\n`);
      const shutdown = (signal: string) => {
        log.info('stopping', { signal });
        running.stop().then(
          () => process.exit(0),
          (error: unknown) => {
            log.error('stop failed', { error: String(error) });
            process.exit(1);
          },
        );
      };
      process.once('SIGTERM', () => shutdown('SIGTERM'));
      process.once('SIGINT', () => shutdown('SIGINT'));
      return -1;
    }
    case 'verify': {
      if (config.store === 'postgres') return verifyPostgres(config, log, process.stdout);
      const started = performance.now();
      const report = await verifyJournal(journalDir);
      const seconds = (performance.now() - started) / 1000;
      if (!report.ok && report.problem) {
        process.stdout.write(
          `FAILED: segment ${report.problem.segment} line ${report.problem.line}: ${report.problem.message}\n` +
            `(${report.events} events before it verified)\n`,
        );
        return 1;
      }
      process.stdout.write(
        `OK: ${report.events} events in ${report.segments} segments (${report.archived} archived), seq ${report.firstSeq}..${report.lastSeq}, hash chain intact ` +
          `(last hash ${report.lastHash.slice(0, 16)}…), ${Math.round(report.events / Math.max(seconds, 1e-6))} events/s\n` +
          (report.pruned ? `events 1..${report.pruned.throughSeq} were pruned, as the journal.pruned event at seq ${report.pruned.recordedAt} records (boundary hash ${report.pruned.boundaryHash.slice(0, 16)}…)\n` : ''),
      );
      return 0;
    }
    case 'export': {
      const write = (chunk: string) => process.stdout.write(chunk);
      const count = config.store === 'postgres' ? await exportPostgres(config, log, write) : await exportJournal(journalDir, write);
      log.info('exported', { events: count });
      return 0;
    }
    case 'import':
      return importEvents(config, log, process.stdin, process.stderr);
    case 'migrate':
      if (values.to !== 'postgres') {
        process.stderr.write('migrate needs --to postgres (and DATABASE_URL)\n');
        return 2;
      }
      return migrateToPostgres(config, log, process.stderr);
    case 'token':
      return tokenCommand(positionals[1], { name: values.name, role: values.role }, config, log, (line) => process.stdout.write(`${line}\n`));
    case 'replay':
      if (config.store === 'postgres') {
        process.stderr.write('replay reads the file journal; with PostgreSQL use GET /api/replay\n');
        return 2;
      }
      return replayCommand(journalDir, { seq: values.seq, at: values.at }, (t) => process.stdout.write(t), (t) => process.stderr.write(t));
    case 'backup':
      return backupCommand(config.dataDir, positionals[1], (line) => process.stdout.write(`${line}\n`));
    case 'restore':
      return restoreCommand(config.dataDir, positionals[1], (line) => process.stdout.write(`${line}\n`));
    case 'stop':
      return stopCommand(config.dataDir, (line) => process.stdout.write(`${line}\n`));
    default:
      process.stderr.write(`unknown command "${command}"\n${USAGE}\n`);
      return 2;
  }
};

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof ConfigError || ['JournalError', 'TokenError'].includes((error as { name?: string }).name ?? '')) {
      process.stderr.write(`${(error as Error).message}\n`);
    } else {
      process.stderr.write(`${(error as Error)?.stack ?? String(error)}\n`);
    }
    process.exitCode = 1;
  },
);
