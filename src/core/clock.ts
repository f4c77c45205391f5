export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

// For tests: time moves only when told to.
export class ManualClock implements Clock {
  constructor(private ms: number) {}
  now(): number {
    return this.ms;
  }
  set(ms: number): void {
    this.ms = ms;
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}
