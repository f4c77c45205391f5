import type { ReadonlySignal } from '@preact/signals';
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { ScheduleView } from '../../core/domain/projection.ts';
import { TenantTile } from './TenantTile.tsx';

export type Density = 'large' | 'medium' | 'small';

// Tile sizes in em of the grid's font (kept in step with styles.css).
const SIZES: Record<Density, [number, number]> = { large: [13.5, 7.4], medium: [10, 5.6], small: [7.5, 2.1] };
const GAP_EM = 0.55;

export const capacityOf = (density: Density, widthPx: number, heightPx: number, fontPx: number): number => {
  const [w, h] = SIZES[density];
  const gap = GAP_EM * fontPx;
  const cols = Math.max(1, Math.floor((widthPx + gap) / (w * fontPx + gap)));
  const rows = Math.max(1, Math.floor((heightPx + gap) / (h * fontPx + gap)));
  return cols * rows;
};

// The biggest tiles with which every tenant fits; a fleet of hundreds becomes a dense field.
export const densityFor = (count: number, fits: (d: Density) => number): Density =>
  (['large', 'medium'] as const).find((d) => count <= fits(d)) ?? 'small';

const useBox = () => {
  const ref = useRef<HTMLUListElement>(null);
  const [box, setBox] = useState<{ w: number; h: number; font: number } | null>(null);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    // the height left in the window, not the list's own (which follows its content)
    const measure = () =>
      setBox({
        w: el.clientWidth,
        h: Math.max(0, window.innerHeight - el.getBoundingClientRect().top - 12),
        font: parseFloat(getComputedStyle(el).fontSize) || 16,
      });
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  return [ref, box] as const;
};

// Tenants worst first, as many as fit the screen; the rest are counted, and trouble is never
// among them unless trouble alone fills the screen.
export const TileGrid = ({ views, now, linkMore }: { views: readonly ScheduleView[]; now: ReadonlySignal<number>; linkMore: boolean }) => {
  const [ref, box] = useBox();
  const fits = (d: Density) => (box ? capacityOf(d, box.w, box.h, box.font) : Number.POSITIVE_INFINITY);
  const density = densityFor(views.length, fits);
  const capacity = fits('small');
  const shown = views.length > capacity ? views.slice(0, capacity - 1) : views;
  const hidden = views.slice(shown.length);
  return (
    <ul class={`tiles tiles-${density}`} ref={ref} aria-label="Tenants, worst first" data-testid="tiles">
      {views.length === 0 && <li class="tiles-empty">No schedules yet. Create one in the control panel.</li>}
      {shown.map((v) => (
        <TenantTile key={v.tenant} view={v} now={now} compact={density === 'small'} />
      ))}
      {hidden.length > 0 && (
        <li class="tile tile-more" data-testid="more-tiles">
          {linkMore ? <a href="/panel">+{hidden.length} more</a> : <>+{hidden.length} more</>}
          <span>{hidden.every((v) => v.status === 'OK' && !v.stale) ? 'all OK' : 'see the control panel'}</span>
        </li>
      )}
    </ul>
  );
};
