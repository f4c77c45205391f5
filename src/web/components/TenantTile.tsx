import type { ReadonlySignal } from '@preact/signals';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ScheduleView } from '../../core/domain/projection.ts';
import { memo } from '../memo.ts';
import { Ago, Countdown } from './Ago.tsx';
import { StatusIcon } from './StatusIcon.tsx';

const CHANGED_MS = 4000;

// One tenant on the wall. A tile whose state just changed is marked briefly (CSS animates it,
// except under prefers-reduced-motion); nothing else moves.
const Tile = ({ view, now, compact }: { view: ScheduleView; now: ReadonlySignal<number>; compact: boolean }) => {
  const key = `${view.status}/${view.stale}`;
  const previous = useRef(key);
  const [changed, setChanged] = useState(false);
  useEffect(() => {
    if (previous.current === key) return;
    previous.current = key;
    setChanged(true);
    const t = setTimeout(() => setChanged(false), CHANGED_MS);
    return () => clearTimeout(t);
  }, [key]);

  const kind = view.status === 'OK' && view.stale ? 'STALE' : view.status;
  const cls = `tile tile-${view.status.toLowerCase()}${view.stale ? ' tile-stale' : ''}${changed ? ' tile-changed' : ''}`;
  const words = view.stale && view.status !== 'OK' ? `${view.status} · STALE` : view.stale ? 'STALE' : view.status;
  return (
    <li class={cls} data-tenant={view.tenant} data-status={view.status} aria-label={`${view.tenant}: ${words}`}>
      <div class="tile-head">
        <StatusIcon kind={kind} size={compact ? 18 : 30} />
        <span class="tile-status">{words}</span>
        {view.running && <span class="tile-running">running</span>}
      </div>
      <div class="tile-name" title={view.tenant}>
        {view.tenant}
      </div>
      {!compact && (
        <dl class="tile-facts">
          <div>
            <dt>last import</dt>
            <dd>
              <Ago at={view.lastSuccessAt} now={now} />
            </dd>
          </div>
          <div>
            <dt>{view.paused ? 'paused' : 'next run'}</dt>
            <dd>{view.paused ? (view.pause.reason ?? `by ${view.pause.by}`) : <Countdown at={view.nextRunAt} now={now} />}</dd>
          </div>
        </dl>
      )}
    </li>
  );
};

export const TenantTile = memo(Tile);
