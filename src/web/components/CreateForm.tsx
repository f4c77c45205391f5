import { useState } from 'preact/hooks';
import { ApiError } from '../api.ts';
import type { Operations } from '../operations.ts';
import { createBody, emptyForm, type FormErrors, type FormValues, normalizeSlug, serverErrors, validateCreate } from '../schedule-form.ts';
import { FieldError } from './FieldError.tsx';
import { IntervalField } from './IntervalField.tsx';

const localZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

// Create a schedule. The slug is normalised as typed; errors (ours or the server's) sit by their field.
export const CreateForm = ({ ops }: { ops: Operations }) => {
  const [values, setValues] = useState<FormValues>(() => emptyForm(localZone()));
  const [errors, setErrors] = useState<FormErrors>({});
  const [general, setGeneral] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const change = (patch: Partial<FormValues>) => {
    setValues((v) => ({ ...v, ...patch }));
    setErrors((e) => {
      const next = { ...e };
      for (const key of Object.keys(patch)) delete next[(key === 'preset' || key === 'customAmount' ? 'every' : key) as keyof FormErrors];
      return next;
    });
    setDone(null);
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    const found = validateCreate(values);
    setErrors(found);
    setGeneral(null);
    if (Object.keys(found).length > 0) return;
    setPending(true);
    try {
      const body = createBody(values);
      await ops.create(body);
      setDone(`Created ${body.tenant}.`);
      setValues((v) => ({ ...v, tenant: '' }));
    } catch (error) {
      const fields = error instanceof ApiError ? serverErrors(error.fieldErrors) : {};
      setErrors(fields);
      // a conflict is about the tenant field even though the server names no field for it
      if (error instanceof ApiError && error.status === 409) setErrors({ tenant: error.message });
      else if (Object.keys(fields).length === 0) setGeneral((error as Error).message);
    } finally {
      setPending(false);
    }
  };

  return (
    <form class="card create-form" onSubmit={submit} aria-labelledby="create-title" noValidate>
      <h2 id="create-title">New schedule</h2>
      <fieldset disabled={pending} class="plain">
        <div class="field">
          <label for="create-tenant">Tenant</label>
          <input
            id="create-tenant"
            name="tenant"
            autoComplete="off"
            spellcheck={false}
            placeholder="acme-roofing"
            value={values.tenant}
            aria-invalid={errors.tenant ? true : undefined}
            aria-describedby={`create-tenant-hint${errors.tenant ? ' create-tenant-error' : ''}`}
            onInput={(e) => {
              const typed = e.currentTarget.value;
              const normal = normalizeSlug(typed);
              if (normal !== typed) e.currentTarget.value = normal;
              change({ tenant: normal });
            }}
          />
          <p class="hint" id="create-tenant-hint">
            lowercase, no spaces
          </p>
          <FieldError id="create-tenant-error" message={errors.tenant} />
        </div>
      </fieldset>
      <IntervalField id="create" values={values} errors={errors} disabled={pending} onChange={change} />
      <div class="form-actions">
        <button type="submit" class="primary" disabled={pending}>
          {pending ? 'Creating…' : 'Create schedule'}
        </button>
        {general && (
          <p class="field-error" role="alert">
            {general}
          </p>
        )}
        {done && (
          <p class="done" role="status">
            {done}
          </p>
        )}
      </div>
    </form>
  );
};
