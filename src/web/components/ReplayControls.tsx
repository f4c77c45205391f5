import { useEffect, useRef, useState } from 'preact/hooks';
import type { Replay } from '../replay.ts';

// Pick a point by seq (slider, number) or by time, and step one event at a time.
export const ReplayControls = ({ replay }: { replay: Replay }) => {
  const [time, setTime] = useState('');
  const [timeError, setTimeError] = useState<string | null>(null);
  const debounce = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const last = replay.lastSeq.value;
  const cursor = replay.cursor.value;
  useEffect(() => () => clearTimeout(debounce.current), []);

  // Dragging shows the number at once and loads the state when the hand rests.
  const slide = (value: number, settle: boolean) => {
    clearTimeout(debounce.current);
    replay.cursor.value = value;
    if (settle) void replay.goTo(value);
    else debounce.current = setTimeout(() => void replay.goTo(value), 150);
  };

  const pickTime = (e: Event) => {
    e.preventDefault();
    const ms = Date.parse(time.trim());
    if (Number.isNaN(ms)) return setTimeError('an ISO time, e.g. 2026-11-25T08:00:00Z');
    setTimeError(null);
    void replay.goToTime(new Date(ms).toISOString());
  };

  return (
    <section class="card replay-controls" aria-label="Replay position">
      <div class="row">
        <button type="button" onClick={() => void replay.step(-1)} disabled={cursor <= 0} aria-label="Step back one event">
          ◀ Back
        </button>
        <label for="replay-slider" class="sr-only">
          Event sequence number
        </label>
        <input
          id="replay-slider"
          type="range"
          min={0}
          max={last}
          step={1}
          value={cursor}
          aria-valuetext={`event ${cursor} of ${last}`}
          onInput={(e) => slide(Number(e.currentTarget.value), false)}
          onChange={(e) => slide(Number(e.currentTarget.value), true)}
        />
        <button type="button" onClick={() => void replay.step(1)} disabled={cursor >= last} aria-label="Step forward one event">
          Forward ▶
        </button>
      </div>
      <div class="row">
        <label for="replay-seq">Seq</label>
        <input
          id="replay-seq"
          class="amount"
          type="number"
          min={0}
          max={last}
          value={cursor}
          onChange={(e) => void replay.goTo(Number(e.currentTarget.value))}
        />
        <span class="muted">of {last}</span>
        <form class="row" onSubmit={pickTime}>
          <label for="replay-time">Time (UTC)</label>
          <input id="replay-time" placeholder="2026-11-25T08:00:00Z" value={time} onInput={(e) => setTime(e.currentTarget.value)} aria-describedby="replay-time-error" />
          <button type="submit">Go to time</button>
        </form>
        <button type="button" onClick={() => void replay.refreshLast().then(() => replay.goTo(replay.lastSeq.value))}>
          Latest
        </button>
      </div>
      {timeError && (
        <p class="field-error" id="replay-time-error" role="alert">
          {timeError}
        </p>
      )}
    </section>
  );
};
