import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Envelope } from '../../../src/core/domain/events.ts';
import { dropSchema, holdsDatabase, pgReachable, randomSchema, TEST_DATABASE_URL } from './pg-test-db.ts';
import { type Instance, isLeaderLog, postJson, readSse, type SseReader, startInstance } from './instance.ts';

const reachable = await pgReachable();
if (reachable) holdsDatabase({ beforeAll, afterAll });

describe.skipIf(!reachable)('three Command Center instances on one PostgreSQL', () => {
  let schema: string;
  let instances: Instance[] = [];
  let streams: SseReader[] = [];
  afterEach(async () => {
    for (const s of streams) s.close();
    await Promise.all(instances.map((i) => i.stop()));
    instances = [];
    streams = [];
    await dropSchema(schema);
  });

  const startThree = async () => {
    schema = randomSchema();
    const env = { DATABASE_URL: TEST_DATABASE_URL, CC_PG_SCHEMA: schema };
    // one first, so the other two find the schema migrated (they would wait on its lock anyway)
    instances.push(await startInstance('a', env));
    instances.push(...(await Promise.all([startInstance('b', env), startInstance('c', env)])));
    return instances as [Instance, Instance, Instance];
  };

  it('shows a schedule created on one instance on the streams and pages of the others', { timeout: 60_000 }, async () => {
    const [a, b, c] = await startThree();
    streams = await Promise.all([a, b, c].map((i) => readSse(`${i.url}/api/events/stream?after=0`)));
    const created = await postJson(`${a.url}/api/schedules`, { tenant: 'acme-roofing', every: 3600 });
    expect(created.status).toBe(201);
    for (const [i, other] of [b, c].entries()) {
      const event = await streams[i + 1]!.until((e) => e.type === 'schedule.created' && e.tenant === 'acme-roofing');
      expect(event.seq).toBe(1);
      const page = (await (await fetch(`${other.url}/api/schedules/acme-roofing`)).json()) as { tenant: string };
      expect(page.tenant).toBe('acme-roofing');
    }
    // a change on C reaches every instance, and all of them tell the same story
    const paused = await postJson(`${c.url}/api/schedules/acme-roofing/pause`, { reason: 'CRM maintenance' });
    expect(paused.status).toBe(200);
    for (const stream of streams) await stream.until((e) => e.type === 'schedule.paused');
    const stories = streams.map((stream) => stream.events.map((e) => `${e.seq} ${e.type} ${e.id}`));
    expect(stories[0]!.map((line) => line.split(' ').slice(0, 2).join(' '))).toEqual(['1 schedule.created', '2 schedule.paused']);
    expect(stories[1]).toEqual(stories[0]);
    expect(stories[2]).toEqual(stories[0]);
  });

  it('starts "run now" asked of an instance that does not lead, on the leader', { timeout: 60_000 }, async () => {
    const all = await startThree();
    const leader = await Promise.race(all.map((i) => i.waitForLog(isLeaderLog).then(() => i)));
    const follower = all.find((i) => i !== leader)!;
    streams = [await readSse(`${follower.url}/api/events/stream?after=0`)];
    expect((await postJson(`${follower.url}/api/schedules`, { tenant: 'acme-roofing', every: 3600 })).status).toBe(201);
    const asked = await postJson(`${follower.url}/api/schedules/acme-roofing/run`, undefined);
    expect(asked.status).toBe(202);
    const { runId } = (await asked.json()) as { runId: string };
    const started = await streams[0]!.until((e) => e.type === 'run.started');
    expect(started.data).toMatchObject({ runId, trigger: 'manual' });
    expect(leader.logs.some((l) => l.msg === 'scheduler started: this instance leads')).toBe(true);
    expect(follower.logs.some((l) => l.msg === 'scheduler started: this instance leads')).toBe(false);
  });

  it('hands scheduling to another instance within 10 s of the leader being killed, running no due time twice', { timeout: 120_000 }, async () => {
    const all = await startThree();
    const leaderLine = await Promise.race(all.map((i) => i.waitForLog(isLeaderLog).then(() => i)));
    const leader = leaderLine;
    const survivors = all.filter((i) => i !== leader) as [Instance, Instance];
    streams = [await readSse(`${survivors[0].url}/api/events/stream?after=0`)];
    const [stream] = streams as [SseReader];
    expect((await postJson(`${survivors[1].url}/api/schedules`, { tenant: 'acme-roofing', every: 10 })).status).toBe(201);
    // the leader runs it at least once, then dies
    const firstRun = await stream.until((e) => e.type === 'run.started');
    leader.proc.kill('SIGKILL');
    const killedAt = Date.now();
    await leader.exited;
    const next = await Promise.race(survivors.map((i) => i.waitForLog((l) => isLeaderLog(l) && Date.parse(String(l.ts)) >= killedAt - 1_000).then(() => i)));
    expect(Date.now() - killedAt).toBeLessThan(10_000);
    // the new leader starts the next due time
    const later = await stream.until((e) => e.type === 'run.started' && e.seq > firstRun.seq && e.source === 'scheduler' && Date.parse(e.ts) > killedAt);
    expect(later.data).toMatchObject({ attempt: 1 });
    expect(next).toBeDefined();

    const events = stream.events;
    const starts = events.filter((e): e is Extract<Envelope, { type: 'run.started' }> => e.type === 'run.started' && e.data.attempt === 1);
    const dueTimes = starts.map((e) => e.data.scheduledFor);
    expect(new Set(dueTimes).size).toBe(dueTimes.length);
    // no due time lost: each run or skip picks up 10 s after the one before
    const covered = events
      .flatMap((e) => {
        if (e.type === 'run.started' && e.data.attempt === 1) return [{ from: Date.parse(e.data.scheduledFor), to: Date.parse(e.data.scheduledFor) }];
        if (e.type === 'run.skipped') return [{ from: Date.parse(e.data.scheduledFor), to: Date.parse(e.data.through ?? e.data.scheduledFor) }];
        return [];
      })
      .sort((x, y) => x.from - y.from);
    for (let i = 1; i < covered.length; i++) expect(covered[i]!.from - covered[i - 1]!.to).toBe(10_000);
    // the run the killed leader left running is recorded as ended
    const killedRun = starts.find((e) => e.seq === firstRun.seq)!;
    const ended = await stream.until((e) => (e.type === 'run.failed' || e.type === 'run.succeeded') && e.data.runId === killedRun.data.runId);
    expect(ended).toBeDefined();
  });
});

if (!reachable) {
  describe('three Command Center instances on one PostgreSQL', () => {
    it.skip('needs PostgreSQL (see the warning above)', () => {});
  });
}
