import { useState } from 'preact/hooks';
import { Dialog } from './Dialog.tsx';

// "Are you sure?" for what cannot be undone with one click. The safe choice has the focus.
export const ConfirmDialog = (props: { title: string; message: string; confirm: string; onConfirm: () => Promise<unknown>; onClose: () => void }) => {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const go = async () => {
    setPending(true);
    setError(null);
    try {
      await props.onConfirm();
      props.onClose();
    } catch (e) {
      setError((e as Error).message);
      setPending(false);
    }
  };
  return (
    <Dialog id="confirm" title={props.title} onClose={props.onClose}>
      <p>{props.message}</p>
      {error && (
        <p class="field-error" role="alert">
          {error}
        </p>
      )}
      <div class="dialog-actions">
        <button type="button" autoFocus onClick={props.onClose} disabled={pending}>
          Cancel
        </button>
        <button type="button" class="danger" onClick={go} disabled={pending}>
          {pending ? 'Working…' : props.confirm}
        </button>
      </div>
    </Dialog>
  );
};
