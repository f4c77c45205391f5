import { isInterval, type ScheduleSpec } from '../core/domain/spec-rules.ts';

const pad = (n: number) => String(n).padStart(2, '0');

// Wall displays and audit lines speak UTC, the journal's own time, with a visible Z.
export const clockTime = (iso: string | null | undefined): string => {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '—';
  return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}Z`;
};

export const dateTime = (iso: string | null | undefined): string => {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '—';
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${clockTime(iso)}`;
};

// A span of time in the two largest units an operator cares about: "42s", "3m 05s", "2h 07m", "3d 4h".
export const span = (ms: number): string => {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${pad(s % 60)}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ${pad(m % 60)}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
};

export const ago = (iso: string | null | undefined, nowMs: number): string => {
  if (!iso) return 'never';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return 'never';
  return `${span(nowMs - t)} ago`;
};

// Time left until a due time. Past due (the scheduler is about to pick it up) reads "due now".
export const countdown = (iso: string | null | undefined, nowMs: number): string => {
  if (!iso) return '—';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '—';
  const left = t - nowMs;
  if (left < 1000) return 'due now';
  return `in ${span(left)}`;
};

export const duration = (ms: number | undefined): string => {
  if (ms === undefined) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return span(ms);
};

const UNITS: [number, string][] = [
  [86_400, 'd'],
  [3600, 'h'],
  [60, 'm'],
];

export const everyLabel = (seconds: number): string => {
  for (const [size, unit] of UNITS) if (seconds % size === 0) return `${seconds / size}${unit}`;
  return `${seconds}s`;
};

export const specText = (spec: ScheduleSpec): string =>
  isInterval(spec) ? `every ${everyLabel(spec.every)}` : `cron ${spec.cron} (${spec.timezone})`;
