import type { Models } from '../models.ts';
import { ConnectionIndicator } from './ConnectionIndicator.tsx';
import { schedulerLine } from '../health.ts';
import { LastAuditBadge } from './LastAuditBadge.tsx';
import { RecentRunsCard } from './RecentRunsCard.tsx';
import { RunTimeline } from './RunTimeline.tsx';
import { SummaryCard } from './SummaryCard.tsx';
import { TileGrid } from './TileGrid.tsx';
import { WallClock } from './WallClock.tsx';

const TIMELINE_WINDOW_MS = 3 * 3_600_000;
const TIMELINE_STRIPS = 12;

// The NOC wall: summary, tenants worst first, recent runs and a run timeline.
export const Dashboard = ({ models }: { models: Models }) => {
  const { store, health, kiosk } = models;
  // The wall is one screen: tiles that do not fit are counted, not scrolled (the panel lists all).
  const views = store.schedules.value;
  const state = store.state.value;
  const scheduler = health.reachable.value
    ? schedulerLine(health.health.value?.scheduler, store.now.value)
    : { ok: false, text: 'Scheduler: no answer from the server' };
  const stripTenants = views.slice(0, TIMELINE_STRIPS).map((v) => v.tenant);
  return (
    <main class="dashboard" id="main">
      <div class="dash-top">
        <SummaryCard summary={store.summary.value} />
        <div class="dash-side">
          {/* a kiosk has no top bar; the connection state still shows, beside the clock */}
          <div class="clock-row">
            {kiosk && <ConnectionIndicator store={store} />}
            <WallClock now={store.now} />
          </div>
          <LastAuditBadge last={state.lastEvent} />
          {scheduler && (
            <div class={`scheduler-line ${scheduler.ok ? 'ok' : 'bad'}`} data-testid="scheduler-state">
              {scheduler.text}
            </div>
          )}
        </div>
      </div>
      <div class="dash-main">
        <TileGrid views={views} now={store.now} linkMore={!kiosk} />
        <div class="dash-right">
          <RecentRunsCard runs={state.runs} now={store.now} limit={20} />
          <RunTimeline
            runs={state.runs}
            tenants={stripTenants}
            more={views.length - stripTenants.length}
            nowMs={Math.floor(store.now.value / 10_000) * 10_000}
            windowMs={TIMELINE_WINDOW_MS}
          />
        </div>
      </div>
    </main>
  );
};
