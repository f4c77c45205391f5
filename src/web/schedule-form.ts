import { cronProblem, isValidTimezone, MAX_EVERY_SECONDS, MIN_EVERY_SECONDS } from '../core/domain/spec-rules.ts';
import { normalizeTenant, TENANT_PATTERN } from '../core/domain/slug.ts';

// The create and edit forms as plain data, so their rules are tested without a DOM.
// The server validates again; these rules only save the operator a round trip.

export const PRESETS = [
  ['1m', 60],
  ['3m', 180],
  ['5m', 300],
  ['15m', 900],
  ['30m', 1800],
  ['1h', 3600],
  ['6h', 21_600],
  ['24h', 86_400],
] as const;

export const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86_400 } as const;
export type Unit = keyof typeof UNIT_SECONDS;

export interface FormValues {
  tenant: string;
  kind: 'interval' | 'cron';
  // a preset's label, or "custom"
  preset: string;
  customAmount: string;
  customUnit: Unit;
  cron: string;
  timezone: string;
}

export const emptyForm = (timezone = 'UTC'): FormValues => ({
  tenant: '',
  kind: 'interval',
  preset: '3m',
  customAmount: '',
  customUnit: 'm',
  cron: '',
  timezone,
});

// Applied on every keystroke: what the operator sees is what the server will store.
export const normalizeSlug = (typed: string): string => normalizeTenant(typed);

export const slugProblem = (slug: string): string | undefined => {
  if (slug === '') return 'tenant is required';
  if (/\s/.test(slug)) return 'no spaces: use dashes, e.g. acme-roofing';
  if (slug.length > 63) return 'at most 63 characters';
  if (!TENANT_PATTERN.test(slug)) return 'lowercase letters, digits and dashes, starting with a letter or digit';
  return undefined;
};

export const intervalSeconds = (v: Pick<FormValues, 'preset' | 'customAmount' | 'customUnit'>): number | undefined => {
  if (v.preset !== 'custom') return PRESETS.find(([label]) => label === v.preset)?.[1];
  const amount = Number(v.customAmount.trim());
  if (v.customAmount.trim() === '' || !Number.isFinite(amount)) return undefined;
  return Math.round(amount * UNIT_SECONDS[v.customUnit]);
};

export type FormErrors = Partial<Record<'tenant' | 'every' | 'cron' | 'timezone', string>>;

export const validateSpec = (v: FormValues): FormErrors => {
  const errors: FormErrors = {};
  if (v.kind === 'interval') {
    const every = intervalSeconds(v);
    if (every === undefined) errors.every = 'enter a number';
    else if (every < MIN_EVERY_SECONDS) errors.every = `at least ${MIN_EVERY_SECONDS} seconds`;
    else if (every > MAX_EVERY_SECONDS) errors.every = 'at most 7 days';
  } else {
    const problem = v.cron.trim() === '' ? 'enter a cron expression, e.g. 0 */2 * * *' : cronProblem(v.cron.trim());
    if (problem) errors.cron = problem;
    if (!isValidTimezone(v.timezone.trim())) errors.timezone = 'not a known time zone (e.g. America/Denver)';
  }
  return errors;
};

export const validateCreate = (v: FormValues): FormErrors => {
  const errors = validateSpec(v);
  const tenant = slugProblem(normalizeSlug(v.tenant));
  if (tenant) errors.tenant = tenant;
  return errors;
};

export type SpecBody = { every: number } | { cron: string; timezone: string };

export const specBody = (v: FormValues): SpecBody =>
  v.kind === 'interval' ? { every: intervalSeconds(v) ?? 0 } : { cron: v.cron.trim(), timezone: v.timezone.trim() };

export const createBody = (v: FormValues) => ({ tenant: normalizeSlug(v.tenant), ...specBody(v) });

// The server names fields as it sees them; map its answer onto the form's fields.
export const serverErrors = (fieldErrors: Record<string, string>): FormErrors => {
  const out: FormErrors = {};
  for (const [field, message] of Object.entries(fieldErrors)) {
    const key = field.split('.')[0];
    if (key === 'tenant' || key === 'every' || key === 'cron' || key === 'timezone') out[key] ??= message;
  }
  return out;
};

// The form for an existing spec (edit): a preset when one matches, else custom in the largest whole unit.
export const formFromSpec = (spec: { every: number } | { cron: string; timezone: string }, base: FormValues): FormValues => {
  if ('cron' in spec) return { ...base, kind: 'cron', cron: spec.cron, timezone: spec.timezone };
  const preset = PRESETS.find(([, seconds]) => seconds === spec.every);
  if (preset) return { ...base, kind: 'interval', preset: preset[0] };
  const unit = (['d', 'h', 'm'] as const).find((u) => spec.every % UNIT_SECONDS[u] === 0) ?? 's';
  return { ...base, kind: 'interval', preset: 'custom', customUnit: unit, customAmount: String(spec.every / UNIT_SECONDS[unit]) };
};
