import { everyLabel, specText } from './format.ts';

// GET /api/schedules/:tenant/history answers one entry per version of a schedule's settings.
export interface DiffEntry {
  field: string;
  from?: unknown;
  to?: unknown;
}

export interface Version {
  seq: number;
  ts: string;
  actor: string;
  source: string;
  settings: Record<string, unknown>;
  diff: DiffEntry[];
}

const isSpec = (v: unknown): v is { every: number } | { cron: string; timezone: string } =>
  typeof v === 'object' && v !== null && (typeof (v as { every?: unknown }).every === 'number' || typeof (v as { cron?: unknown }).cron === 'string');

// One value as an operator reads it: intervals as "every 5m", absent as "—".
export const showValue = (field: string, value: unknown): string => {
  if (value === undefined || value === null) return '—';
  if (isSpec(value)) return specText(value);
  if (typeof value === 'number' && /(^|\.)every$/.test(field)) return everyLabel(value);
  if (typeof value === 'number' && /Seconds$/.test(field)) return everyLabel(value);
  if (typeof value === 'string') return value;
  if (typeof value === 'object') {
    const parts = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}: ${showValue(k, v)}`);
    return parts.length > 0 ? parts.join(', ') : '—';
  }
  return String(value);
};

const LABELS: Record<string, string> = {
  every: 'interval',
  cron: 'cron',
  timezone: 'time zone',
  runner: 'runner',
  spec: 'schedule',
  timeoutSeconds: 'timeout',
  maxAttempts: 'attempts',
  catchupSeconds: 'catch-up window',
  freshnessSeconds: 'freshness target',
};

// Field names as operators say them: "interval", "time zone", "policy.timeout".
export const fieldLabel = (field: string): string => field.split('.').map((part) => LABELS[part] ?? part).join(' ');

export interface DiffLine {
  field: string;
  from: string;
  to: string;
}

// A version's changes as lines "field: from → to"; the first version shows what it was created with.
export const diffLines = (version: Version): DiffLine[] => {
  if (version.diff.length > 0) {
    return version.diff.map((d) => ({ field: fieldLabel(d.field), from: showValue(d.field, d.from), to: showValue(d.field, d.to) }));
  }
  return Object.entries(version.settings)
    .filter(([, v]) => v !== undefined)
    .map(([field, v]) => ({ field: fieldLabel(field), from: '—', to: showValue(field, v) }));
};

// Reverting to the newest version would change nothing; the server says so too (a no-op).
export const canRevertTo = (versions: readonly Version[], version: Version): boolean =>
  versions.length > 1 && versions[versions.length - 1]!.seq !== version.seq;
