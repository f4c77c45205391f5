import type { ReadonlySignal } from '@preact/signals';
import { clockTime } from '../format.ts';

// The current time in UTC, the same zone as every time on the wall.
export const WallClock = ({ now }: { now: ReadonlySignal<number> }) => (
  <div class="wall-clock" aria-label="Current time (UTC)">
    {clockTime(new Date(now.value).toISOString())}
  </div>
);
