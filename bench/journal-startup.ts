// Child process of bench/journal.ts: opens one data directory the way the server does and
// reports how long that took and what the process holds afterwards. Run on its own, so the
// RSS it reports is the store's and not the benchmark's.
import type { Logger } from '../src/core/logger.ts';
import { openFileStore } from '../src/core/store/file-store.ts';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: journal-startup.ts <data-dir>');

let opened: Record<string, unknown> = {};
const warnings: string[] = [];
const log: Logger = {
  debug() {},
  info: (message, fields) => {
    if (message === 'journal opened') opened = fields ?? {};
  },
  warn: (message) => warnings.push(message),
  error: (message) => warnings.push(message),
};

const rssBefore = process.memoryUsage().rss;
const started = performance.now();
const store = await openFileStore({ dataDir, log });
const ms = performance.now() - started;
const memory = process.memoryUsage();
const result = {
  ms,
  seq: store.journal.lastSeq,
  tenants: store.projector.schedules.size,
  snapshot: opened.snapshot,
  replayed: opened.replayed,
  rssBefore,
  rss: memory.rss,
  heapUsed: memory.heapUsed,
  maxRss: process.resourceUsage().maxRSS * 1024,
  warnings,
};
process.stdout.write(`${JSON.stringify(result)}\n`);
// No close(): the parent decides what the stop looked like (graceful or SIGKILL).
process.exit(0);
