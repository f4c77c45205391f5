import { useEffect, useState } from 'preact/hooks';
import { canRevertTo, diffLines, type Version } from '../diff.ts';
import { dateTime } from '../format.ts';
import { Dialog } from './Dialog.tsx';

interface Props {
  tenant: string;
  load: () => Promise<Version[]>;
  // absent: this session may not revert (a viewer) or the server cannot
  onRevert?: (toSeq: number) => Promise<unknown>;
  onClose: () => void;
}

// Every version of a schedule's settings: who, when, what changed; revert to one with confirmation.
export const HistoryDialog = ({ tenant, load, onRevert, onClose }: Props) => {
  const [versions, setVersions] = useState<Version[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<number | null>(null);
  const [pending, setPending] = useState(false);
  const reload = () => load().then(setVersions, (e: Error) => setError(e.message));
  useEffect(() => void reload(), []);

  const revert = async (seq: number) => {
    if (!onRevert) return;
    setPending(true);
    try {
      await onRevert(seq);
      setConfirming(null);
      await reload();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setPending(false);
    }
  };

  return (
    <Dialog id="history" title={`History of ${tenant}`} onClose={onClose}>
      {error && (
        <p class="field-error" role="alert">
          {error}
        </p>
      )}
      {!versions && !error && <p class="muted">Loading…</p>}
      {versions && (
        <ol class="versions" reversed>
          {[...versions].reverse().map((v, i) => (
            <li key={v.seq} class="version">
              <div class="version-head">
                <strong>#{v.seq}</strong> {dateTime(v.ts)} · {v.actor} via {v.source}
                {i === 0 && <span class="tag">current</span>}
              </div>
              <ul class="diff">
                {diffLines(v).map((d) => (
                  <li key={d.field}>
                    <span class="diff-field">{d.field}:</span> <del>{d.from}</del> → <ins>{d.to}</ins>
                  </li>
                ))}
              </ul>
              {onRevert && canRevertTo(versions, v) &&
                (confirming === v.seq ? (
                  <div class="confirm-inline" role="group" aria-label={`Confirm revert to #${v.seq}`}>
                    Restore the settings of #{v.seq}?{' '}
                    <button type="button" class="danger" disabled={pending} onClick={() => void revert(v.seq)}>
                      {pending ? 'Reverting…' : 'Confirm revert'}
                    </button>{' '}
                    <button type="button" onClick={() => setConfirming(null)}>
                      Cancel
                    </button>
                  </div>
                ) : (
                  <button type="button" onClick={() => setConfirming(v.seq)}>
                    Revert to #{v.seq}
                  </button>
                ))}
            </li>
          ))}
        </ol>
      )}
      <div class="dialog-actions">
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
    </Dialog>
  );
};
