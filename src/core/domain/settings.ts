import type { Envelope, Policy, RunnerName } from './events.ts';
import type { ScheduleSpec } from './spec-rules.ts';
import { isInterval } from './spec-rules.ts';

// A schedule's settings as the API writes them: the same flat fields as create and PATCH.
export interface Settings {
  every?: number;
  cron?: string;
  timezone?: string;
  runner: RunnerName;
  timeoutSeconds?: number;
  maxAttempts?: number;
  catchupSeconds?: number;
  freshnessSeconds?: number;
}

export const SETTINGS_FIELDS = [
  'every',
  'cron',
  'timezone',
  'runner',
  'timeoutSeconds',
  'maxAttempts',
  'catchupSeconds',
  'freshnessSeconds',
] as const satisfies readonly (keyof Settings)[];

const POLICY_FIELDS = ['timeoutSeconds', 'maxAttempts', 'catchupSeconds', 'freshnessSeconds'] as const;

export interface FieldChange {
  field: string;
  from: unknown;
  to: unknown;
}

export interface SettingsVersion {
  seq: number;
  ts: string;
  actor: string;
  source: string;
  settings: Settings;
  diff: FieldChange[];
  revertedTo?: number;
}

export const settingsOf = (s: { spec: ScheduleSpec; runner: RunnerName; policy: Policy }): Settings => {
  const out: Settings = isInterval(s.spec) ? { every: s.spec.every, runner: s.runner } : { cron: s.spec.cron, timezone: s.spec.timezone, runner: s.runner };
  for (const key of POLICY_FIELDS) if (s.policy[key] !== undefined) out[key] = s.policy[key];
  // fixed key order, so two equal settings serialise alike
  return Object.fromEntries(SETTINGS_FIELDS.filter((k) => out[k] !== undefined).map((k) => [k, out[k]])) as unknown as Settings;
};

export const specOfSettings = (s: Settings): ScheduleSpec =>
  s.every !== undefined ? { every: s.every } : { cron: s.cron ?? '', timezone: s.timezone ?? 'UTC' };

export const policyOfSettings = (s: Settings): Policy => {
  const policy: Policy = {};
  for (const key of POLICY_FIELDS) if (s[key] !== undefined) policy[key] = s[key];
  return policy;
};

export const sameSettings = (a: Settings, b: Settings): boolean => diffSettings(a, b).length === 0;

export const diffSettings = (from: Settings | undefined, to: Settings): FieldChange[] =>
  SETTINGS_FIELDS.filter((k) => from?.[k] !== to[k]).map((k) => ({ field: k, from: from?.[k] ?? null, to: to[k] ?? null }));

// Every version of one tenant's settings, oldest first, since its latest creation.
// Feed it that tenant's events in seq order; other events are passed over.
export const settingsHistory = (events: Iterable<Envelope>): SettingsVersion[] => {
  let versions: SettingsVersion[] = [];
  let current: { spec: ScheduleSpec; runner: RunnerName; policy: Policy } | undefined;
  for (const e of events) {
    if (e.type === 'schedule.created') {
      current = { spec: e.data.spec, runner: e.data.runner, policy: e.data.policy ?? {} };
      versions = [];
    } else if (e.type === 'schedule.deleted') {
      current = undefined;
      versions = [];
      continue;
    } else if (e.type === 'schedule.updated' && current) {
      current = { spec: e.data.spec ?? current.spec, runner: e.data.runner ?? current.runner, policy: e.data.policy ?? current.policy };
    } else {
      continue;
    }
    const settings = settingsOf(current);
    const version: SettingsVersion = {
      seq: e.seq,
      ts: e.ts,
      actor: e.actor,
      source: e.source,
      settings,
      diff: diffSettings(versions[versions.length - 1]?.settings, settings),
    };
    if (e.type === 'schedule.updated' && e.data.revertedTo !== undefined) version.revertedTo = e.data.revertedTo;
    versions.push(version);
  }
  return versions;
};
