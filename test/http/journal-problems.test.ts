import { describe, expect, it } from 'vitest';
import { type AppendOutcome, JournalError } from '../../src/core/journal/journal.ts';
import { makeApp } from './harness.ts';

const failingJournal = (outcome?: AppendOutcome) => {
  const h = makeApp();
  const error = new JournalError('append failed: the database is unavailable (connect ECONNREFUSED 10.0.0.5:5432)', 'unavailable', outcome ? { outcome } : {});
  h.store.journal.append = () => Promise.reject(error);
  h.store.journal.read = () => Promise.reject(error);
  return h;
};

describe('503 answers for a journal that fails', () => {
  it.each([
    [undefined, /^the journal cannot record changes right now; nothing was changed/],
    ['not-recorded', /^the journal cannot record changes right now; nothing was changed/],
    ['unknown', /it may or may not have been recorded\. Check the audit before retrying\.$/],
    ['recorded', /^the change was recorded, but this server cannot show it yet.*Do not repeat it\.$/],
  ] as const)('tells a change whose outcome is %s what happened to it, and nothing internal', async (outcome, detail) => {
    const h = failingJournal(outcome);
    const res = await h.request('POST', '/api/schedules', { body: { tenant: 'acme-roofing', every: 300 } });
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    const problem = (await res.json()) as { detail: string };
    expect(problem.detail).toMatch(detail);
    expect(JSON.stringify(problem)).not.toMatch(/ECONNREFUSED|10\.0\.0\.5|database is unavailable/);
  });

  it('tells a read that the journal cannot be read, not that nothing was changed', async () => {
    const h = failingJournal('not-recorded');
    const res = await h.request('GET', '/api/events?after=0');
    expect(res.status).toBe(503);
    const problem = (await res.json()) as { detail: string };
    expect(problem.detail).toBe('the journal cannot be read right now; try again shortly.');
  });
});
