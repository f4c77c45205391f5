import { describe, expect, it } from 'vitest';
import { ago, clockTime, countdown, duration, everyLabel, span, specText } from '../../src/web/format.ts';

const NOW = Date.parse('2026-11-25T08:00:00.000Z');
const at = (deltaMs: number) => new Date(NOW + deltaMs).toISOString();

describe('formatting for operators', () => {
  it('counts down to the next run in the two largest units', () => {
    expect(countdown(at(42_400), NOW)).toBe('in 42s');
    expect(countdown(at(185_000), NOW)).toBe('in 3m 05s');
    expect(countdown(at(2 * 3_600_000 + 7 * 60_000), NOW)).toBe('in 2h 07m');
    expect(countdown(at(3 * 86_400_000 + 4 * 3_600_000), NOW)).toBe('in 3d 4h');
  });

  it('says "due now" once the due time has come, and a dash when there is none', () => {
    expect(countdown(at(500), NOW)).toBe('due now');
    expect(countdown(at(-30_000), NOW)).toBe('due now');
    expect(countdown(null, NOW)).toBe('—');
  });

  it('tells the age of a time, and "never" for none', () => {
    expect(ago(at(-61_000), NOW)).toBe('1m 01s ago');
    expect(ago(undefined, NOW)).toBe('never');
    expect(span(-5)).toBe('0s');
  });

  it('writes times in UTC with a Z, as the journal does', () => {
    expect(clockTime('2026-11-25T08:00:00.000Z')).toBe('08:00:00Z');
    expect(clockTime('not a time')).toBe('—');
  });

  it('writes intervals and durations short', () => {
    expect(everyLabel(180)).toBe('3m');
    expect(everyLabel(86_400)).toBe('1d');
    expect(everyLabel(90)).toBe('90s');
    expect(specText({ cron: '0 */2 * * *', timezone: 'America/Denver' })).toBe('cron 0 */2 * * * (America/Denver)');
    expect(duration(340)).toBe('340 ms');
    expect(duration(12_345)).toBe('12.3 s');
    expect(duration(undefined)).toBe('—');
  });
});
