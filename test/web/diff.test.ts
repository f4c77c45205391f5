import { describe, expect, it } from 'vitest';
import { canRevertTo, diffLines, fieldLabel, type Version } from '../../src/web/diff.ts';

const version = (seq: number, diff: Version['diff'], settings: Version['settings'] = {}): Version => ({
  seq,
  ts: '2026-11-25T08:00:00.000Z',
  actor: 'operator',
  source: 'ui',
  settings,
  diff,
});

describe('history diff view', () => {
  it('shows each change as "field: from → to" in the words operators use', () => {
    expect(diffLines(version(2, [{ field: 'every', from: 180, to: 900 }]))).toEqual([{ field: 'interval', from: '3m', to: '15m' }]);
    expect(diffLines(version(3, [{ field: 'policy.timeoutSeconds', from: null, to: 300 }]))).toEqual([{ field: 'policy timeout', from: '—', to: '5m' }]);
    expect(diffLines(version(4, [{ field: 'spec', from: { every: 60 }, to: { cron: '0 2 * * *', timezone: 'UTC' } }]))).toEqual([
      { field: 'schedule', from: 'every 1m', to: 'cron 0 2 * * * (UTC)' },
    ]);
  });

  it('shows what a first version was created with when it carries no diff', () => {
    expect(diffLines(version(1, [], { every: 180, runner: 'demo' }))).toEqual([
      { field: 'interval', from: '—', to: '3m' },
      { field: 'runner', from: '—', to: 'demo' },
    ]);
  });

  it('offers a revert to every version but the current one', () => {
    const versions = [version(1, []), version(5, []), version(9, [])];
    expect(versions.map((v) => canRevertTo(versions, v))).toEqual([true, true, false]);
    expect(canRevertTo([versions[0]!], versions[0]!)).toBe(false);
    expect(fieldLabel('timezone')).toBe('time zone');
  });
});
