import type { ReadonlySignal } from '@preact/signals';
import { ago, countdown } from '../format.ts';

// Each reads the ticking clock itself, so only this text redraws every second, not its row or tile.

export const Ago = ({ at, now, never = 'never' }: { at: string | null | undefined; now: ReadonlySignal<number>; never?: string }) => (
  <time dateTime={at ?? undefined} title={at ?? undefined}>
    {at ? ago(at, now.value) : never}
  </time>
);

export const Countdown = ({ at, now }: { at: string | null | undefined; now: ReadonlySignal<number> }) => (
  <time dateTime={at ?? undefined} title={at ?? undefined}>
    {countdown(at, now.value)}
  </time>
);
