import type { RunRecord } from '../../core/domain/runs.ts';
import { hourTicks, timelineStrips } from '../timeline.ts';

const W = 1000;

// One SVG strip per tenant over the last hours; each run a mark: a short bar when it succeeded,
// a full-height bar when it failed, an outline while running (shape as well as colour).
// Strips stretch to the card's width; labels and the axis stay HTML so text never stretches.
export const RunTimeline = (props: { runs: readonly RunRecord[]; tenants: readonly string[]; more: number; nowMs: number; windowMs: number }) => {
  const { runs, tenants, more, nowMs, windowMs } = props;
  const strips = timelineStrips(runs, tenants, nowMs, windowMs);
  const ticks = hourTicks(nowMs, windowMs);
  return (
    <section class="card timeline" aria-labelledby="timeline-title">
      <h2 id="timeline-title">Runs · last {Math.round(windowMs / 3_600_000)} h</h2>
      <ol class="strips">
        {strips.map((s) => {
          const failedCount = s.marks.filter((m) => m.outcome === 'failed').length;
          return (
            <li key={s.tenant} class="strip">
              <span class="strip-label" title={s.tenant}>
                {s.tenant}
              </span>
              <svg viewBox={`0 0 ${W} 20`} preserveAspectRatio="none" role="img" aria-label={`${s.tenant}: ${s.marks.length} runs, ${failedCount} failed`}>
                <rect class="strip-bg" x="0" y="2" width={W} height="16" />
                {ticks.map((t) => (
                  <line key={t.label} class="tick" x1={t.x * W} x2={t.x * W} y1="0" y2="20" />
                ))}
                {s.marks.map((m) => {
                  const width = Math.max(3, m.width * W);
                  if (m.outcome === 'failed') return <rect key={m.runId} class="mark mark-failed" x={m.x * W} y="0" width={Math.max(5, width)} height="20" />;
                  return <rect key={m.runId} class={`mark mark-${m.outcome}`} x={m.x * W} y="6" width={width} height="8" />;
                })}
              </svg>
            </li>
          );
        })}
      </ol>
      <div class="axis" aria-hidden="true">
        {ticks.map((t) => (
          <span key={t.label} style={{ left: `${t.x * 100}%` }}>
            {t.label}
          </span>
        ))}
      </div>
      <p class="legend">
        <i class="lg lg-succeeded" aria-hidden="true" /> succeeded <i class="lg lg-failed" aria-hidden="true" /> failed{' '}
        <i class="lg lg-running" aria-hidden="true" /> running
        {more > 0 && <> · +{more} more tenants not shown</>}
      </p>
    </section>
  );
};
