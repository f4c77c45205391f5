// An error shown under its field and tied to it (aria-describedby on the input points here).
export const FieldError = ({ id, message }: { id: string; message: string | undefined }) =>
  message ? (
    <p class="field-error" id={id} role="alert">
      {message}
    </p>
  ) : null;
