import type { ReadonlySignal } from '@preact/signals';
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { ScheduleView } from '../../core/domain/projection.ts';
import { TenantTile } from './TenantTile.tsx';

// Fewer tenants get bigger tiles; a fleet of hundreds becomes a dense field of small ones.
export const densityOf = (count: number): 'large' | 'medium' | 'small' => (count <= 16 ? 'large' : count <= 48 ? 'medium' : 'small');

const TILE_SIZE = { large: [300, 150], medium: [220, 112], small: [150, 46] } as const;

// How many tiles fit the element, so a kiosk shows what fits and says how many more there are.
const useCapacity = (enabled: boolean, size: readonly [number, number]) => {
  const ref = useRef<HTMLUListElement>(null);
  const [capacity, setCapacity] = useState(Number.POSITIVE_INFINITY);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!enabled || !el) return;
    const measure = () => {
      const cols = Math.max(1, Math.floor((el.clientWidth + 12) / (size[0] + 12)));
      const rows = Math.max(1, Math.floor((el.clientHeight + 12) / (size[1] + 12)));
      setCapacity(cols * rows);
    };
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, [enabled, size]);
  return [ref, capacity] as const;
};

export const TileGrid = ({ views, now, fit }: { views: readonly ScheduleView[]; now: ReadonlySignal<number>; fit: boolean }) => {
  const density = densityOf(views.length);
  const [ref, capacity] = useCapacity(fit, TILE_SIZE[density]);
  const shown = views.length > capacity ? views.slice(0, capacity - 1) : views;
  const hidden = views.slice(shown.length);
  return (
    <ul class={`tiles tiles-${density}`} ref={ref} aria-label="Tenants, worst first" data-testid="tiles">
      {views.length === 0 && <li class="tiles-empty">No schedules yet. Create one in the control panel.</li>}
      {shown.map((v) => (
        <TenantTile key={v.tenant} view={v} now={now} compact={density === 'small'} />
      ))}
      {hidden.length > 0 && (
        <li class="tile tile-more">
          +{hidden.length} more
          <span>{hidden.every((v) => v.status === 'OK' && !v.stale) ? 'all OK' : 'see the control panel'}</span>
        </li>
      )}
    </ul>
  );
};
