import { useState } from 'preact/hooks';
import { ApiError } from '../api.ts';
import { Dialog } from './Dialog.tsx';
import { FieldError } from './FieldError.tsx';

// Pause with an optional reason and an optional time to resume by itself.
export const PauseDialog = ({ tenant, onPause, onClose }: { tenant: string; onPause: (body: { reason?: string; until?: string }) => Promise<unknown>; onClose: () => void }) => {
  const [reason, setReason] = useState('');
  const [until, setUntil] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [pending, setPending] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    const body: { reason?: string; until?: string } = {};
    if (reason.trim()) body.reason = reason.trim();
    if (until) {
      // datetime-local is the operator's local time; the API takes an instant
      const at = new Date(until);
      if (Number.isNaN(at.getTime()) || at.getTime() <= Date.now()) return setErrors({ until: 'pick a time in the future' });
      body.until = at.toISOString();
    }
    setPending(true);
    try {
      await onPause(body);
      onClose();
    } catch (error) {
      setErrors(error instanceof ApiError && error.problem.errors ? error.fieldErrors : { general: (error as Error).message });
      setPending(false);
    }
  };
  return (
    <Dialog id="pause" title={`Pause ${tenant}`} onClose={onClose}>
      <form onSubmit={submit}>
        <fieldset class="plain" disabled={pending}>
          <div class="field">
            <label for="pause-reason">Reason (optional)</label>
            <input id="pause-reason" value={reason} maxLength={500} autoFocus onInput={(e) => setReason(e.currentTarget.value)} placeholder="CRM maintenance" />
            <FieldError id="pause-reason-error" message={errors.reason} />
          </div>
          <div class="field">
            <label for="pause-until">Resume automatically at (optional, your local time)</label>
            <input id="pause-until" type="datetime-local" value={until} onInput={(e) => setUntil(e.currentTarget.value)} />
            <FieldError id="pause-until-error" message={errors.until} />
          </div>
          <FieldError id="pause-error" message={errors.general} />
          <div class="dialog-actions">
            <button type="button" onClick={onClose}>
              Cancel
            </button>
            <button type="submit" class="primary">
              {pending ? 'Pausing…' : 'Pause'}
            </button>
          </div>
        </fieldset>
      </form>
    </Dialog>
  );
};
