import { describe, expect, it } from 'vitest';
import { CURRENT_VERSION, makeUpcaster, upcast } from '../../../src/core/domain/upcast.ts';

const v1 = { seq: 7, id: 'e7', ts: '2026-11-25T08:00:00.000Z', type: 'run.succeeded', tenant: 'acme', source: 'scheduler', actor: 'scheduler', data: { runId: 'r1', durationMs: 1200, imported: 40 } };

// A made-up change of shape: version 2 moved `imported` into `result`.
const lift = makeUpcaster(
  {
    1: (r) => {
      const { imported, ...data } = r.data as { imported?: number };
      return { ...r, data: { ...data, result: { imported } } };
    },
  },
  2,
);

describe('upcast', () => {
  it('reads version 1 records (no v) as they are while 1 is the current version', () => {
    expect(CURRENT_VERSION).toBe(1);
    expect(upcast(v1)).toEqual(v1);
  });

  it('lifts an older record step by step to the current shape and says which version it is', () => {
    expect(lift(v1)).toEqual({ ...v1, v: 2, data: { runId: 'r1', durationMs: 1200, result: { imported: 40 } } });
  });

  it('leaves a record of the current version alone', () => {
    const v2 = { ...v1, v: 2, data: { runId: 'r1', durationMs: 1200, result: { imported: 40 } } };
    expect(lift(v2)).toEqual(v2);
  });

  it('refuses a record newer than this build, and a version with no step', () => {
    expect(() => upcast({ ...v1, v: 2 })).toThrow(/version 2; this build reads up to 1/);
    expect(() => makeUpcaster({}, 3)(v1)).toThrow(/no upcaster from event version 1/);
  });
});
