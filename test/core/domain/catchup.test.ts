import { Cron } from 'croner';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { catchupWindowMs, dueSpan, planMissed } from '../../../src/core/domain/catchup.ts';
import { nextDue } from '../../../src/core/domain/timetable.ts';

const T0 = Date.parse('2026-11-25T08:00:00.000Z');
const HOUR = 3600_000;

// The slow, obvious way: list every due time.
const listed = (spec: { every: number } | { cron: string; timezone: string }, after: number, until: number) => {
  const out: number[] = [];
  if ('every' in spec) {
    for (let d = nextDue(spec, T0, 'acme-roofing', after); d <= until; d = nextDue(spec, T0, 'acme-roofing', d)) out.push(d);
    return out;
  }
  const cron = new Cron(spec.cron, { timezone: spec.timezone, paused: true });
  for (let d = cron.nextRun(new Date(after)); d && d.getTime() <= until; d = cron.nextRun(d)) out.push(d.getTime());
  return out;
};

const summary = (list: number[]) =>
  list.length === 0
    ? undefined
    : { count: list.length, first: list[0], last: list.at(-1), ...(list.length > 1 ? { beforeLast: list.at(-2) } : {}) };

describe('dueSpan', () => {
  it('counts interval due times in (after, until] without listing them', () => {
    fc.assert(
      fc.property(fc.integer({ min: 10, max: 86400 }), fc.integer({ min: 0, max: 3 * 24 }), fc.integer({ min: 0, max: 2 * HOUR }), (every, hours, extra) => {
        const after = T0 + extra;
        const until = after + hours * HOUR;
        expect(dueSpan({ every }, T0, 'acme-roofing', after, until)).toEqual(summary(listed({ every }, after, until)));
      }),
      { numRuns: 200 },
    );
  });

  it('counts cron due times exactly across offset changes, in zones with and without daylight saving', () => {
    const zones = ['America/Denver', 'Europe/Berlin', 'Australia/Lord_Howe', 'Asia/Kolkata', 'UTC'];
    const crons = ['*/7 * * * *', '0 * * * *', '30 2 * * *', '0 */2 * * *', '15 1,2,3 * * 0', '0 9 1 * *'];
    const year = Date.parse('2026-01-01T00:00:00.000Z');
    fc.assert(
      fc.property(
        fc.constantFrom(...zones),
        fc.constantFrom(...crons),
        fc.integer({ min: 0, max: 360 * 24 }),
        fc.integer({ min: 0, max: 12 * 24 }),
        (timezone, cron, startHour, spanHours) => {
          const after = year + startHour * HOUR + 17 * 60_000;
          const until = after + spanHours * HOUR;
          expect(dueSpan({ cron, timezone }, T0, 'x', after, until)).toEqual(summary(listed({ cron, timezone }, after, until)));
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe('dueSpan across the 2026 changes', () => {
  const cases: [string, string, string][] = [
    ['America/Denver', '2026-03-05T00:00:00.000Z', '2026-03-12T00:00:00.000Z'],
    ['America/Denver', '2026-10-29T00:00:00.000Z', '2026-11-05T00:00:00.000Z'],
    ['Europe/Berlin', '2026-03-26T00:00:00.000Z', '2026-04-02T00:00:00.000Z'],
    ['Europe/Berlin', '2026-10-22T00:00:00.000Z', '2026-10-29T00:00:00.000Z'],
  ];
  for (const [timezone, from, to] of cases) {
    it(`matches croner step by step in ${timezone} from ${from.slice(0, 10)}`, () => {
      for (const cron of ['*/5 * * * *', '0 * * * *', '30 2 * * *', '0 */2 * * *', '0 1-3 * * *']) {
        const after = Date.parse(from);
        const until = Date.parse(to);
        expect(dueSpan({ cron, timezone }, T0, 'x', after, until), cron).toEqual(summary(listed({ cron, timezone }, after, until)));
      }
    });
  }
});

describe('planMissed', () => {
  const span = { count: 60, first: T0, last: T0 + 59 * 600_000, beforeLast: T0 + 58 * 600_000 };

  it('catches up the latest missed due time within the window and skips the rest as one record', () => {
    expect(planMissed(span, 600_000, span.last + 599_000)).toEqual({
      catchup: span.last,
      skipped: { from: T0, through: span.beforeLast, count: 59 },
    });
  });

  it('skips them all when the latest is older than the window', () => {
    expect(planMissed(span, 600_000, span.last + 600_001)).toEqual({ skipped: { from: T0, through: span.last, count: 60 } });
  });

  it('just catches up a single missed due time', () => {
    expect(planMissed({ count: 1, first: T0, last: T0 }, 600_000, T0 + 1000)).toEqual({ catchup: T0 });
  });
});

describe('catchupWindowMs', () => {
  it('is one interval, or for cron the gap to the following due time, unless the policy says otherwise', () => {
    expect(catchupWindowMs({ every: 180 }, {}, T0, 'x', T0)).toBe(180_000);
    expect(catchupWindowMs({ cron: '0 */2 * * *', timezone: 'UTC' }, {}, T0, 'x', Date.parse('2026-11-25T08:00:00.000Z'))).toBe(2 * HOUR);
    expect(catchupWindowMs({ every: 180 }, { catchupSeconds: 0 }, T0, 'x', T0)).toBe(0);
    expect(catchupWindowMs({ every: 180 }, { catchupSeconds: 3600 }, T0, 'x', T0)).toBe(HOUR);
  });
});
