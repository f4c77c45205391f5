import { useComputed, useSignalEffect } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { dateTime } from '../format.ts';
import type { Replay as ReplayModel } from '../replay.ts';
import { AuditPanel } from './AuditPanel.tsx';
import { EventDetail } from './EventDetail.tsx';
import { ReplayControls } from './ReplayControls.tsx';
import { ScheduleRow } from './ScheduleRow.tsx';
import { ScheduleTableHead } from './ScheduleTableHead.tsx';

// The state as of any point, for debugging what happened when. The URL holds the point.
export const Replay = ({ replay }: { replay: ReplayModel }) => {
  useEffect(() => {
    const params = new URLSearchParams(location.search);
    void replay.refreshLast().then(() => {
      const at = params.get('at');
      const seq = params.get('seq');
      if (at) return replay.goToTime(at);
      return replay.goTo(seq === null ? replay.lastSeq.value : Number(seq));
    });
  }, []);
  useSignalEffect(() => {
    const snap = replay.snapshot.value;
    if (!snap) return;
    const url = new URL(location.href);
    url.searchParams.delete('at');
    url.searchParams.set('seq', String(snap.seq));
    if (url.href !== location.href) history.replaceState(null, '', url);
  });
  const at = useComputed(() => (replay.snapshot.value?.ts ? Date.parse(replay.snapshot.value.ts) : 0));
  const snap = replay.snapshot.value;
  return (
    <main class="replay" id="main">
      <ReplayControls replay={replay} />
      <p class="replay-asof" role="status" data-testid="replay-asof">
        {snap ? `As of #${snap.seq} · ${dateTime(snap.ts)}` : 'Loading…'}
        {replay.loading.value && <span class="muted"> (loading)</span>}
        {replay.error.value && <span class="field-error"> {replay.error.value}</span>}
      </p>
      <div class="replay-grid">
        <section class="card" aria-labelledby="replay-schedules-title">
          <h2 id="replay-schedules-title">Schedules then ({snap?.schedules.length ?? 0})</h2>
          <div class="table-wrap">
            <table class="schedule-table">
              <ScheduleTableHead actions={false} />
              <tbody data-testid="replay-schedules">
                {snap?.schedules.map((v) => (
                  <ScheduleRow key={v.tenant} view={v} now={at} actions={[]} busy={false} onAction={() => {}} />
                ))}
              </tbody>
            </table>
          </div>
        </section>
        <div class="replay-side">
          <EventDetail event={replay.event.value} />
          <AuditPanel entries={snap?.audit ?? []} now={at} tenants={[...new Set((snap?.audit ?? []).map((e) => e.tenant))].sort()} />
        </div>
      </div>
    </main>
  );
};
