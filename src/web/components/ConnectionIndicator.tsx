import type { Store } from '../store.ts';
import { span } from '../format.ts';

const LABEL = { connecting: 'Connecting', live: 'Live', polling: 'Polling', stale: 'Stale' } as const;

// Tells the truth about the data: Live (stream open), Polling (stream down, polls working,
// with when it last checked) or Stale (nothing works, with how long).
export const ConnectionIndicator = ({ store }: { store: Store }) => {
  const state = store.connection.value;
  const synced = store.syncedAt.value;
  const age = synced === null ? null : span(store.now.value - synced);
  let detail = '';
  if (state === 'polling') detail = age === null ? '' : `checked ${age} ago`;
  if (state === 'stale') detail = age === null ? 'no data yet' : `for ${age}`;
  return (
    <div class={`conn conn-${state}`} role="status" aria-live="polite" data-testid="connection">
      <span class="conn-dot" aria-hidden="true" />
      <strong>{LABEL[state]}</strong>
      {detail && <span class="conn-detail">{detail}</span>}
    </div>
  );
};
