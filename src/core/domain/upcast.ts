import type { Envelope } from './events.ts';

// Stored events are never rewritten. When a payload's shape changes, the new writer stamps
// `v: N` on the envelope and a step here lifts older records to the current shape on read.
// Version 1 (no `v`) is the current shape, so today the chain is empty.
type Step = (raw: Record<string, unknown>) => Record<string, unknown>;

export const CURRENT_VERSION = 1;
const STEPS: Record<number, Step> = {};

// steps[n] lifts a version-n record to version n + 1. The result carries `v` only past 1.
export const makeUpcaster =
  (steps: Record<number, Step>, current: number) =>
  (raw: Record<string, unknown>): Envelope => {
    let record = raw;
    let version = typeof record.v === 'number' ? record.v : 1;
    if (version > current) throw new Error(`event seq ${String(record.seq)} has version ${version}; this build reads up to ${current} (an older build reading a newer journal)`);
    while (version < current) {
      const step = steps[version];
      if (!step) throw new Error(`no upcaster from event version ${version}`);
      record = { ...step(record), v: version + 1 };
      version += 1;
    }
    // Journal lines are hash-verified before they reach here, so the shape is trusted.
    return record as unknown as Envelope;
  };

export const upcast = makeUpcaster(STEPS, CURRENT_VERSION);
