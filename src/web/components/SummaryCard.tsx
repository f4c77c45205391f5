import type { Summary } from '../../core/domain/projection.ts';
import { clockTime } from '../format.ts';
import { StatusIcon, type StatusKind } from './StatusIcon.tsx';

const Count = ({ n, label, kind, alarm }: { n: number; label: string; kind?: StatusKind; alarm?: boolean }) => (
  <div class={`count${kind ? ` count-${kind.toLowerCase()}` : ''}${alarm && n > 0 ? ' count-alarm' : ''}${n === 0 ? ' count-zero' : ''}`}>
    <span class="count-n">{n}</span>
    <span class="count-label">
      {kind && <StatusIcon kind={kind} size={20} />}
      {label}
    </span>
  </div>
);

export const summaryLine = (s: Summary): string =>
  `${s.tenants} tenant${s.tenants === 1 ? '' : 's'} · ${s.ok} OK · ${s.paused} paused · ${s.error} error · ${s.stale} stale — as of ${clockTime(s.asOf.ts)}`;

// The scheduler summary card: the counts that matter, large enough to read from across the room.
export const SummaryCard = ({ summary }: { summary: Summary }) => (
  <section class="card summary" aria-label="Scheduler summary">
    <div class="counts">
      <Count n={summary.tenants} label="tenants" />
      <Count n={summary.error} label="error" kind="ERROR" alarm />
      <Count n={summary.stale} label="stale" kind="STALE" alarm />
      <Count n={summary.paused} label="paused" kind="PAUSED" />
      <Count n={summary.ok} label="OK" kind="OK" />
      <Count n={summary.running} label="running" kind="RUNNING" />
    </div>
    <p class="summary-line" data-testid="summary-line">
      {summaryLine(summary)}
    </p>
  </section>
);
