import type { ReadonlySignal } from '@preact/signals';
import type { ScheduleView } from '../../core/domain/projection.ts';
import { specText } from '../format.ts';
import { memo } from '../memo.ts';
import { Ago, Countdown } from './Ago.tsx';
import { StatusBadge } from './StatusBadge.tsx';

export type RowAction = 'pause' | 'resume' | 'run' | 'edit' | 'history' | 'delete';

interface Props {
  view: ScheduleView;
  now: ReadonlySignal<number>;
  // which actions to offer; empty for a viewer
  actions: readonly RowAction[];
  busy: boolean;
  onAction: (action: RowAction, view: ScheduleView) => void;
}

const LABEL: Record<RowAction, string> = { pause: 'Pause', resume: 'Resume', run: 'Run now', edit: 'Edit interval', history: 'History', delete: 'Delete' };

// A Retry-After still in force; reads the ticking clock itself (as Countdown does), so only
// this line redraws every second and disappears once the time has passed.
const RateLimited = ({ until, now }: { until: string; now: ReadonlySignal<number> }) =>
  Date.parse(until) > now.value ? (
    <div class="muted rate-limited" title="The CRM answered 429 with Retry-After: no call before then">
      rate-limited, next call <Countdown at={until} now={now} />
    </div>
  ) : null;

const Row = ({ view, now, actions, busy, onAction }: Props) => {
  const offered = actions.filter((a) => (a === 'pause' ? !view.paused : a === 'resume' ? view.paused : true));
  const last = view.lastRun;
  return (
    <tr data-tenant={view.tenant} class={`row-${view.status.toLowerCase()}`}>
      <th scope="row" class="tenant-cell">
        {view.tenant}
      </th>
      <td>
        <StatusBadge kind={view.status} />
        {view.stale && <StatusBadge kind="STALE" label="stale" />}
        {view.paused && view.pause.reason && <div class="pause-reason">“{view.pause.reason}”</div>}
        {view.paused && view.pause.until && (
          <div class="muted">
            resumes <Countdown at={view.pause.until} now={now} />
          </div>
        )}
      </td>
      <td>
        {specText(view.spec)}
        <div class="muted">
          {view.runner}{view.runner === 'demo' && <span class="tag">simulated</span>}
        </div>
      </td>
      <td class="num">{view.running ? <span class="running-word">running</span> : view.paused ? '—' : <Countdown at={view.nextRunAt} now={now} />}</td>
      <td>
        {last ? (
          <>
            <div class={`outcome outcome-${last.outcome}`} title={last.error}>
              {last.outcome === 'failed' ? `failed (${last.errorClass ?? 'error'})` : 'succeeded'}
            </div>
            <div class="muted">
              <Ago at={last.at} now={now} />
            </div>
            {last.notBefore && <RateLimited until={last.notBefore} now={now} />}
          </>
        ) : (
          <span class="muted">never</span>
        )}
      </td>
      {actions.length > 0 && (
        <td>
          <div class="action-buttons">
            {offered.map((a) => (
              <button type="button" class={a === 'delete' ? 'danger-quiet' : undefined} disabled={busy} onClick={() => onAction(a, view)} aria-label={`${LABEL[a]} ${view.tenant}`}>
                {LABEL[a]}
              </button>
            ))}
          </div>
        </td>
      )}
    </tr>
  );
};

export const ScheduleRow = memo(Row);
