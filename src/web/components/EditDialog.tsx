import { useState } from 'preact/hooks';
import type { ScheduleSpec } from '../../core/domain/spec.ts';
import { ApiError } from '../api.ts';
import { emptyForm, type FormErrors, formFromSpec, type FormValues, serverErrors, type SpecBody, specBody, validateSpec } from '../schedule-form.ts';
import { Dialog } from './Dialog.tsx';
import { FieldError } from './FieldError.tsx';
import { IntervalField } from './IntervalField.tsx';

// Change when a schedule runs.
export const EditDialog = (props: { tenant: string; spec: ScheduleSpec; onSave: (body: SpecBody) => Promise<unknown>; onClose: () => void }) => {
  const [values, setValues] = useState<FormValues>(() => formFromSpec(props.spec, emptyForm('UTC')));
  const [errors, setErrors] = useState<FormErrors>({});
  const [general, setGeneral] = useState<string>();
  const [pending, setPending] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    const found = validateSpec(values);
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    setPending(true);
    try {
      await props.onSave(specBody(values));
      props.onClose();
    } catch (error) {
      const fields = error instanceof ApiError ? serverErrors(error.fieldErrors) : {};
      setErrors(fields);
      if (Object.keys(fields).length === 0) setGeneral((error as Error).message);
      setPending(false);
    }
  };
  return (
    <Dialog id="edit" title={`Edit interval of ${props.tenant}`} onClose={props.onClose}>
      <form onSubmit={submit} noValidate>
        <IntervalField id="edit" values={values} errors={errors} disabled={pending} onChange={(patch) => setValues((v) => ({ ...v, ...patch }))} />
        <FieldError id="edit-error" message={general} />
        <div class="dialog-actions">
          <button type="button" onClick={props.onClose}>
            Cancel
          </button>
          <button type="submit" class="primary" disabled={pending}>
            {pending ? 'Saving…' : 'Save'}
          </button>
        </div>
      </form>
    </Dialog>
  );
};
