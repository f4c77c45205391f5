import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

// A native modal dialog: focus moves in and is trapped, Escape closes, focus returns on close.
export const Dialog = ({ id, title, onClose, children }: { id: string; title: string; onClose: () => void; children: ComponentChildren }) => {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    // the element that opened the dialog gets the focus back, however the dialog ends
    const opener = document.activeElement as HTMLElement | null;
    if (dialog && !dialog.open) dialog.showModal();
    return () => {
      dialog?.close();
      if (opener?.isConnected) opener.focus();
    };
  }, []);
  return (
    <dialog ref={ref} class="dialog" id={id} aria-labelledby={`${id}-title`} onClose={onClose}>
      <h2 id={`${id}-title`}>{title}</h2>
      {children}
    </dialog>
  );
};
