import type { FormErrors, FormValues, Unit } from '../schedule-form.ts';
import { PRESETS, UNIT_SECONDS } from '../schedule-form.ts';
import { FieldError } from './FieldError.tsx';

const zones = (() => {
  try {
    return Intl.supportedValuesOf('timeZone');
  } catch {
    return ['UTC'];
  }
})();

interface Props {
  id: string;
  values: FormValues;
  errors: FormErrors;
  disabled: boolean;
  onChange: (patch: Partial<FormValues>) => void;
}

// Interval (presets or custom) or cron with a time zone: the two kinds of spec the server takes.
export const IntervalField = ({ id, values, errors, disabled, onChange }: Props) => (
  <fieldset class="interval-field" disabled={disabled}>
    <legend>Runs</legend>
    <div class="kind-choice" role="radiogroup" aria-label="Schedule kind">
      <label>
        <input type="radio" name={`${id}-kind`} checked={values.kind === 'interval'} onChange={() => onChange({ kind: 'interval' })} /> every
      </label>
      <label>
        <input type="radio" name={`${id}-kind`} checked={values.kind === 'cron'} onChange={() => onChange({ kind: 'cron' })} /> cron
      </label>
    </div>
    {values.kind === 'interval' ? (
      <div class="field">
        <label for={`${id}-preset`}>Interval</label>
        <div class="row">
          <select
            id={`${id}-preset`}
            value={values.preset}
            aria-invalid={errors.every ? true : undefined}
            aria-describedby={errors.every ? `${id}-every-error` : undefined}
            onChange={(e) => onChange({ preset: e.currentTarget.value })}
          >
            {PRESETS.map(([label]) => (
              <option value={label}>{label}</option>
            ))}
            <option value="custom">custom…</option>
          </select>
          {values.preset === 'custom' && (
            <>
              <input
                id={`${id}-amount`}
                class="amount"
                inputMode="decimal"
                aria-label="Custom interval amount"
                value={values.customAmount}
                onInput={(e) => onChange({ customAmount: e.currentTarget.value })}
              />
              <select aria-label="Custom interval unit" value={values.customUnit} onChange={(e) => onChange({ customUnit: e.currentTarget.value as Unit })}>
                {(Object.keys(UNIT_SECONDS) as Unit[]).map((u) => (
                  <option value={u}>{{ s: 'seconds', m: 'minutes', h: 'hours', d: 'days' }[u]}</option>
                ))}
              </select>
            </>
          )}
        </div>
        <FieldError id={`${id}-every-error`} message={errors.every} />
      </div>
    ) : (
      <div class="row">
        <div class="field">
          <label for={`${id}-cron`}>Cron (5 fields)</label>
          <input
            id={`${id}-cron`}
            placeholder="0 */2 * * *"
            spellcheck={false}
            value={values.cron}
            aria-invalid={errors.cron ? true : undefined}
            aria-describedby={errors.cron ? `${id}-cron-error` : undefined}
            onInput={(e) => onChange({ cron: e.currentTarget.value })}
          />
          <FieldError id={`${id}-cron-error`} message={errors.cron} />
        </div>
        <div class="field">
          <label for={`${id}-tz`}>Time zone</label>
          <input
            id={`${id}-tz`}
            list={`${id}-zones`}
            value={values.timezone}
            aria-invalid={errors.timezone ? true : undefined}
            aria-describedby={errors.timezone ? `${id}-tz-error` : undefined}
            onInput={(e) => onChange({ timezone: e.currentTarget.value })}
          />
          <datalist id={`${id}-zones`}>
            {zones.map((z) => (
              <option value={z} />
            ))}
          </datalist>
          <FieldError id={`${id}-tz-error`} message={errors.timezone} />
        </div>
      </div>
    )}
  </fieldset>
);
