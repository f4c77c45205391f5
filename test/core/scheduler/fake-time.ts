import type { Clock } from '../../../src/core/clock.ts';
import type { TimerHandle, Timers } from '../../../src/core/timers.ts';

interface FakeTimer {
  at: number;
  order: number;
  callback: () => void;
}

// A clock and timers that move only when told to. advanceTo() jumps from timer to timer,
// letting promise chains settle between them, so a simulated week takes seconds.
export class FakeTime implements Clock, Timers {
  private ms: number;
  private order = 0;
  private readonly pending = new Set<FakeTimer>();
  fired = 0;

  constructor(start: number | string) {
    this.ms = typeof start === 'string' ? Date.parse(start) : start;
  }

  now(): number {
    return this.ms;
  }

  setTimeout(callback: () => void, ms: number): TimerHandle {
    const timer: FakeTimer = { at: this.ms + Math.max(0, ms), order: this.order++, callback };
    this.pending.add(timer);
    return timer;
  }

  clearTimeout(handle: TimerHandle): void {
    this.pending.delete(handle as FakeTimer);
  }

  get timerCount(): number {
    return this.pending.size;
  }

  // Work started by a timer (journal appends, runner promises) runs on microtasks; a macrotask
  // turn lets all of it finish before time moves again.
  async settle(): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
  }

  private next(): FakeTimer | undefined {
    let best: FakeTimer | undefined;
    for (const t of this.pending) if (!best || t.at < best.at || (t.at === best.at && t.order < best.order)) best = t;
    return best;
  }

  async advanceTo(target: number | string): Promise<void> {
    const end = typeof target === 'string' ? Date.parse(target) : target;
    await this.settle();
    for (let t = this.next(); t && t.at <= end; t = this.next()) {
      this.pending.delete(t);
      this.ms = Math.max(this.ms, t.at);
      this.fired += 1;
      t.callback();
      await this.settle();
    }
    this.ms = Math.max(this.ms, end);
    await this.settle();
  }

  advance(ms: number): Promise<void> {
    return this.advanceTo(this.ms + ms);
  }
}
