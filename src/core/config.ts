import path from 'node:path';
import { z } from 'zod';
import { DEFAULT_CHECKPOINT_EVERY } from './projections/checkpoints.ts';
import { DEFAULT_MIN_FREE_MB } from './store/disk-usage.ts';

const port = z.coerce.number({ error: 'must be a port number' }).int('must be a whole number').min(0).max(65535, 'must be at most 65535');

export const configSchema = z.object({
  host: z.string().min(1).default('127.0.0.1'),
  port: port.default(8787),
  dataDir: z.string().min(1).default('./data'),
  store: z.enum(['file', 'postgres'], { error: 'must be "file" or "postgres"' }).default('file'),
  databaseUrl: z.string().optional(),
  pgSchema: z.string().regex(/^[a-z_][a-z0-9_]*$/, 'must be a lowercase SQL identifier').default('command_center'),
  runner: z.enum(['demo', 'http'], { error: 'must be "demo" or "http"' }).default('demo'),
  importUrl: z.string().url('must be a URL').optional(),
  importSecret: z.string().optional(),
  operatorToken: z.string().min(16, 'must be at least 16 characters').optional(),
  viewerToken: z.string().min(16, 'must be at least 16 characters').optional(),
  allowedHosts: z.string().optional(),
  logLevel: z.enum(['debug', 'info', 'warn', 'error'], { error: 'must be debug, info, warn or error' }).default('info'),
  auth: z.enum(['on', 'off'], { error: 'must be "on" or "off"' }).default('on'),
  corsOrigins: z
    .string()
    .optional()
    .transform((v) => (v ?? '').split(',').map((o) => o.trim()).filter(Boolean))
    .pipe(z.array(z.string().regex(/^https?:\/\/[^/\s]+$/, 'each origin must look like https://noc.example.com (scheme and host, no path)'))),
  sessionDays: z.coerce.number({ error: 'must be a number of days' }).positive('must be more than 0').max(400, 'must be at most 400 days').default(30),
  // file store: sealed segments whose newest event is older are compressed into data/archive
  retentionDays: z.coerce.number({ error: 'must be a number of days' }).positive('must be more than 0').default(90),
  // file store: archived events older than this are deleted (with a journal.pruned event); unset: never
  pruneDays: z.coerce.number({ error: 'must be a number of days' }).positive('must be more than 0').optional(),
  // file store: a checkpoint of the projections every this many events
  checkpointEvery: z.coerce.number({ error: 'must be a number of events' }).int('must be a whole number').min(1000, 'must be at least 1000').default(DEFAULT_CHECKPOINT_EVERY),
  // below this much free disk (MiB) health turns degraded
  minFreeMb: z.coerce.number({ error: 'must be a number of MiB' }).int('must be a whole number').min(0).default(DEFAULT_MIN_FREE_MB),
  alertUrl: z.string().url('must be a URL').optional(),
  alertSecret: z.string().optional(),
});

export type Config = z.infer<typeof configSchema>;

const ENV: Record<keyof Config, string> = {
  host: 'CC_HOST',
  port: 'CC_PORT',
  dataDir: 'CC_DATA_DIR',
  store: 'CC_STORE',
  databaseUrl: 'DATABASE_URL',
  pgSchema: 'CC_PG_SCHEMA',
  runner: 'CC_RUNNER',
  importUrl: 'CC_IMPORT_URL',
  importSecret: 'CC_IMPORT_SECRET',
  operatorToken: 'CC_OPERATOR_TOKEN',
  viewerToken: 'CC_VIEWER_TOKEN',
  allowedHosts: 'CC_ALLOWED_HOSTS',
  logLevel: 'CC_LOG_LEVEL',
  auth: 'CC_AUTH',
  corsOrigins: 'CC_CORS_ORIGINS',
  sessionDays: 'CC_SESSION_DAYS',
  retentionDays: 'CC_RETENTION_DAYS',
  pruneDays: 'CC_PRUNE_DAYS',
  checkpointEvery: 'CC_CHECKPOINT_EVERY',
  minFreeMb: 'CC_MIN_FREE_MB',
  alertUrl: 'CC_ALERT_URL',
  alertSecret: 'CC_ALERT_SECRET',
};

// every setting's environment variable; each has a flag of the same meaning (FLAG_OF)
export const CONFIG_ENV: Readonly<Record<keyof Config, string>> = ENV;

export const FLAG_OF = (key: string) => `--${key.replace(/[A-Z]/g, (m) => `-${m.toLowerCase()}`)}`;

export class ConfigError extends Error {}

// Flags override the environment; every bad value is named with where it came from.
export const loadConfig = (env: NodeJS.ProcessEnv, flags: Record<string, string>): Config => {
  const raw: Record<string, string> = {};
  const origin: Record<string, string> = {};
  for (const [key, name] of Object.entries(ENV)) {
    const fromFlag = flags[key];
    const value = fromFlag ?? env[name];
    if (value !== undefined && value !== '') {
      raw[key] = value;
      origin[key] = fromFlag !== undefined ? FLAG_OF(key) : name;
    }
  }
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => {
      const key = String(i.path[0]);
      return `  ${origin[key] ?? ENV[key as keyof Config] ?? key}: ${i.message}`;
    });
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const config = parsed.data;
  if (config.auth === 'off' && !isLoopback(config.host)) {
    throw new ConfigError(`invalid configuration:\n  CC_AUTH: "off" is only allowed when the server binds to loopback (CC_HOST is ${config.host})`);
  }
  if (config.store === 'postgres' && !config.databaseUrl) {
    throw new ConfigError('invalid configuration:\n  DATABASE_URL: required when CC_STORE is "postgres"');
  }
  if (config.pruneDays !== undefined && config.pruneDays < config.retentionDays) {
    throw new ConfigError(`invalid configuration:\n  CC_PRUNE_DAYS: must not be shorter than CC_RETENTION_DAYS (${config.retentionDays}): only archived events are pruned`);
  }
  if (config.runner === 'http' && !config.importUrl) {
    throw new ConfigError('invalid configuration:\n  CC_IMPORT_URL: required when CC_RUNNER is "http"');
  }
  return { ...config, dataDir: path.resolve(config.dataDir) };
};

export const isLoopback = (host: string): boolean =>
  host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);

export const allowedHostsFor = (config: Pick<Config, 'host' | 'port' | 'allowedHosts'>): string[] => {
  const names = new Set(['localhost', '127.0.0.1', '[::1]']);
  names.add(config.host.includes(':') && !config.host.startsWith('[') ? `[${config.host}]` : config.host);
  for (const extra of (config.allowedHosts ?? '').split(',').map((h) => h.trim().toLowerCase()).filter(Boolean)) names.add(extra);
  const out: string[] = [];
  for (const name of names) {
    if (/:\d+$/.test(name) && !name.endsWith(']')) out.push(name);
    else out.push(`${name}:${config.port}`, name);
  }
  return out;
};
