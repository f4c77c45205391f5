import { useCallback, useState } from 'preact/hooks';
import type { ScheduleView } from '../../core/domain/projection.ts';
import type { Models } from '../models.ts';
import { ConfirmDialog } from './ConfirmDialog.tsx';
import { EditDialog } from './EditDialog.tsx';
import { HistoryDialog } from './HistoryDialog.tsx';
import { PauseDialog } from './PauseDialog.tsx';
import { type RowAction, ScheduleRow } from './ScheduleRow.tsx';
import { ScheduleTableHead } from './ScheduleTableHead.tsx';

type Open = { action: 'pause' | 'edit' | 'history' | 'delete'; view: ScheduleView } | null;

// The schedules with their state and what an operator can do to each.
export const ScheduleTable = ({ models }: { models: Models }) => {
  const { store, session, ops } = models;
  const [open, setOpen] = useState<Open>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [notice, setNotice] = useState<{ ok: boolean; text: string } | null>(null);
  const operator = session.role.value === 'operator';
  // No buttons until the role is known, so none moves under the operator's pointer.
  const actions: RowAction[] = [];
  if (operator) actions.push('pause', 'resume', 'run', 'edit');
  if (session.role.value !== 'unknown') actions.push('history');
  if (operator) actions.push('delete');

  const immediate = async (label: string, tenant: string, call: () => Promise<unknown>) => {
    setBusy(tenant);
    try {
      await call();
      setNotice({ ok: true, text: `${label} ${tenant}: done.` });
    } catch (e) {
      setNotice({ ok: false, text: `${label} ${tenant} failed: ${(e as Error).message}` });
    } finally {
      setBusy(null);
    }
  };

  const onAction = useCallback((action: RowAction, view: ScheduleView) => {
    if (action === 'resume') void immediate('Resume', view.tenant, () => ops.resume(view.tenant));
    else if (action === 'run') void immediate('Run now', view.tenant, () => ops.runNow(view.tenant));
    else setOpen({ action, view });
  }, []);

  const views = [...store.schedules.value].sort((a, b) => (a.tenant < b.tenant ? -1 : 1));
  const close = () => setOpen(null);
  return (
    <section class="card schedules" aria-labelledby="schedules-title">
      <h2 id="schedules-title">Schedules ({views.length})</h2>
      <p class="notice-line" role="status">
        {notice && <span class={notice.ok ? 'done' : 'field-error'}>{notice.text}</span>}
      </p>
      <div class="table-wrap">
        <table class="schedule-table">
          <ScheduleTableHead actions={actions.length > 0} />
          <tbody>
            {views.map((v) => (
              <ScheduleRow key={v.tenant} view={v} now={store.now} actions={actions} busy={busy === v.tenant} onAction={onAction} />
            ))}
          </tbody>
        </table>
        {views.length === 0 && <p class="muted">No schedules yet.</p>}
      </div>
      {open?.action === 'pause' && <PauseDialog tenant={open.view.tenant} onPause={(body) => ops.pause(open.view.tenant, body)} onClose={close} />}
      {open?.action === 'edit' && <EditDialog tenant={open.view.tenant} spec={open.view.spec} onSave={(body) => ops.update(open.view.tenant, body)} onClose={close} />}
      {open?.action === 'delete' && (
        <ConfirmDialog
          title={`Delete ${open.view.tenant}?`}
          message={`The schedule of ${open.view.tenant} stops and is removed. Its history stays in the audit. This cannot be undone (you can create it again).`}
          confirm="Delete schedule"
          onConfirm={() => ops.remove(open.view.tenant)}
          onClose={close}
        />
      )}
      {open?.action === 'history' && (
        <HistoryDialog
          tenant={open.view.tenant}
          load={() => ops.history(open.view.tenant)}
          onRevert={operator ? (seq) => ops.revert(open.view.tenant, seq) : undefined}
          onClose={close}
        />
      )}
    </section>
  );
};
