import type { Store } from '../store.ts';
import { clockTime, span } from '../format.ts';

// A wall display must never show a silent stale picture: when the data is not live, the whole
// screen dims and says since when.
// A restart of a second or two passes without dimming; past that the screen says so.
const GRACE_MS = 5000;

export const StaleOverlay = ({ store }: { store: Store }) => {
  const state = store.connection.value;
  const synced = store.syncedAt.value;
  if (state !== 'stale' || store.signedOut.value) return null;
  if (synced !== null && store.now.value - synced < GRACE_MS) return null;
  const asOf = store.state.value.lastEvent?.ts ?? null;
  return (
    <div class="stale-overlay" role="alert" data-testid="stale-overlay">
      <div class="stale-box">
        <div class="stale-title">DATA NOT LIVE</div>
        <div class="stale-age">
          {synced === null ? 'No data from the server yet' : `Last update ${span(store.now.value - synced)} ago`}
        </div>
        <div class="stale-detail">
          Showing the state as of {clockTime(asOf)}. Reconnecting…
          {store.failure.value && <> ({store.failure.value})</>}
        </div>
      </div>
    </div>
  );
};
