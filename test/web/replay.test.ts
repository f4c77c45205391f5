import { describe, expect, it } from 'vitest';
import { createReplay } from '../../src/web/replay.ts';
import { created, deleted, FakeJournal, fakeApi, fakeFeed, paused, resumed, T0 } from './fakes.ts';

const setup = () => {
  let now = T0;
  const journal = new FakeJournal(() => (now += 60_000));
  journal.append(created('acme-roofing'), paused('acme-roofing', 'CRM maintenance'), resumed('acme-roofing'), created('bolt-roofing'), deleted('acme-roofing'));
  const api = fakeApi(journal, () => now);
  const { feed } = fakeFeed(api);
  return { journal, api, replay: createReplay({ api, feed }) };
};

describe('replay', () => {
  it('shows the schedules and audit as of the cursor, and the event there', async () => {
    const { replay } = setup();
    await replay.refreshLast();
    expect(replay.lastSeq.value).toBe(5);
    await replay.goTo(2);
    expect(replay.snapshot.value?.schedules.map((s) => [s.tenant, s.status])).toEqual([['acme-roofing', 'PAUSED']]);
    expect(replay.snapshot.value?.audit.map((a) => a.operation)).toEqual(['paused', 'created']);
    expect(replay.event.value).toMatchObject({ seq: 2, type: 'schedule.paused' });
  });

  it('steps one event back and forth, and stays within the journal', async () => {
    const { replay } = setup();
    await replay.refreshLast();
    await replay.goTo(4);
    await replay.step(1);
    expect(replay.cursor.value).toBe(5);
    expect(replay.snapshot.value?.schedules.map((s) => s.tenant)).toEqual(['bolt-roofing']);
    await replay.step(1);
    expect(replay.cursor.value).toBe(5);
    await replay.step(-3);
    expect(replay.snapshot.value?.schedules.map((s) => [s.tenant, s.status])).toEqual([['acme-roofing', 'PAUSED']]);
    await replay.goTo(0);
    expect(replay.snapshot.value?.schedules).toEqual([]);
    expect(replay.event.value).toBeNull();
  });

  it('finds the last event at or before a time', async () => {
    const { replay, journal } = setup();
    await replay.refreshLast();
    const third = journal.events[2]!;
    await replay.goToTime(new Date(Date.parse(third.ts) + 30_000).toISOString());
    expect(replay.cursor.value).toBe(3);
    expect(replay.event.value?.type).toBe('schedule.resumed');
  });

  it('asks the server instead of reading the journal from seq 1', async () => {
    const { journal, api } = setup();
    const calls: string[] = [];
    const serverApi = {
      ...api,
      get: async <T,>(path: string): Promise<T> => {
        calls.push(path);
        if (path.startsWith('/api/replay')) {
          const state = journal.stateAt(3);
          return { asOf: { seq: 3, ts: journal.events[2]!.ts }, schedules: Object.values(state.schedules), audit: state.audit } as T;
        }
        return api.get<T>(path);
      },
    };
    const replay = createReplay({ api: serverApi, feed: fakeFeed(serverApi).feed });
    await replay.refreshLast();
    await replay.goTo(3);
    expect(calls).toContain('/api/replay?seq=3');
    expect(calls.filter((c) => c.startsWith('/api/events?after=0'))).toHaveLength(0);
    expect(replay.snapshot.value?.schedules.map((s) => [s.tenant, s.status])).toEqual([['acme-roofing', 'OK']]);
  });
});
