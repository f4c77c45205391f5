import type { Models } from '../models.ts';
import { schedulerLine } from '../health.ts';
import { LastAuditBadge } from './LastAuditBadge.tsx';
import { RecentRunsCard } from './RecentRunsCard.tsx';
import { RunTimeline } from './RunTimeline.tsx';
import { SummaryCard } from './SummaryCard.tsx';
import { TileGrid } from './TileGrid.tsx';

const TIMELINE_WINDOW_MS = 3 * 3_600_000;
const TIMELINE_STRIPS = 10;

// The NOC wall: summary, tenants worst first, recent runs and a run timeline.
export const Dashboard = ({ models }: { models: Models }) => {
  const { store, health, kiosk } = models;
  const views = store.schedules.value;
  const summary = store.summary.value;
  const state = store.state.value;
  const scheduler = schedulerLine(health.health.value?.scheduler);
  const stripTenants = views.slice(0, TIMELINE_STRIPS).map((v) => v.tenant);
  return (
    <main class="dashboard" id="main">
      <div class="dash-top">
        <SummaryCard summary={summary} />
        <div class="dash-side">
          <LastAuditBadge last={state.lastEvent} />
          {scheduler && (
            <div class={`scheduler-line ${scheduler.ok ? 'ok' : 'bad'}`} data-testid="scheduler-state">
              {scheduler.text}
            </div>
          )}
        </div>
      </div>
      <div class="dash-main">
        <TileGrid views={views} now={store.now} fit={kiosk} />
        <RecentRunsCard runs={state.runs} now={store.now} limit={12} />
      </div>
      <RunTimeline
        runs={state.runs}
        tenants={stripTenants}
        more={views.length - stripTenants.length}
        nowMs={Math.floor(store.now.value / 10_000) * 10_000}
        windowMs={TIMELINE_WINDOW_MS}
      />
    </main>
  );
};
