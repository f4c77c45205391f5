// Child process of bench/year.ts: the real server (startServer, as `command-center serve`
// wires it) on a data directory holding a simulated year. Prints one JSON line once it
// listens: how long opening the store and reaching "listening" took, and its RSS then.
import type { Config } from '../src/core/config.ts';
import { loadConfig } from '../src/core/config.ts';
import type { Logger } from '../src/core/logger.ts';
import { startServer } from '../src/serve.ts';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: year-server.ts <data-dir>');
// ms since this process started: what an operator waits for after a restart, Node and the
// TypeScript loader included
const bootMs = performance.now();

let opened: Record<string, unknown> = {};
const warnings: string[] = [];
const log: Logger = {
  debug() {},
  info: (message, fields) => {
    if (message === 'journal opened') opened = fields ?? {};
  },
  warn: (message, fields) => warnings.push(`${message} ${JSON.stringify(fields ?? {})}`),
  error: (message, fields) => warnings.push(`${message} ${JSON.stringify(fields ?? {})}`),
};
const config: Config = loadConfig({ CC_DATA_DIR: dataDir, CC_PORT: '0', CC_AUTH: 'off', CC_LOG_LEVEL: 'warn' }, {});
const started = performance.now();
const running = await startServer(config, log);
const listeningMs = performance.now();
process.stdout.write(
  `${JSON.stringify({
    url: running.url,
    bootMs,
    startMs: listeningMs - started,
    sinceProcessStartMs: listeningMs,
    openMs: opened.ms,
    snapshot: opened.snapshot,
    replayed: opened.replayed,
    seq: running.store.journal.lastSeq,
    rss: process.memoryUsage().rss,
    warnings,
  })}\n`,
);
process.once('SIGTERM', () => {
  running.stop().then(() => process.exit(0));
});
