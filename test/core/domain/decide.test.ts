import { describe, it } from 'vitest';
import { ev, given, iso, T0 } from './given.ts';

const acme = 'acme-roofing';

describe('decide: CreateSchedule', () => {
  it('records a new schedule', () => {
    given()
      .when({ type: 'CreateSchedule', tenant: acme, spec: { every: 300 }, runner: 'demo' })
      .then([ev.created(acme, 300)]);
  });

  it('records a cron schedule with its time zone', () => {
    given()
      .when({ type: 'CreateSchedule', tenant: acme, spec: { cron: '0 6 * * 1-5', timezone: 'America/Denver' }, runner: 'http' })
      .then([{ type: 'schedule.created', tenant: acme, data: { spec: { cron: '0 6 * * 1-5', timezone: 'America/Denver' }, runner: 'http' } }]);
  });

  it('records a schedule created paused as created, then paused', () => {
    given()
      .when({ type: 'CreateSchedule', tenant: acme, spec: { every: 60 }, runner: 'demo', paused: true })
      .then([ev.created(acme), ev.paused(acme, 'created paused')]);
  });

  it('keeps a per-schedule policy, and leaves an empty one out', () => {
    given()
      .when({ type: 'CreateSchedule', tenant: acme, spec: { every: 60 }, runner: 'demo', policy: { timeoutSeconds: 30 } })
      .then([ev.created(acme, 60, { policy: { timeoutSeconds: 30 } })]);
    given().when({ type: 'CreateSchedule', tenant: acme, spec: { every: 60 }, runner: 'demo', policy: {} }).then([ev.created(acme)]);
  });

  it('refuses a tenant that already has a schedule (409)', () => {
    given(ev.created(acme))
      .when({ type: 'CreateSchedule', tenant: acme, spec: { every: 60 }, runner: 'demo' })
      .thenFails('conflict', /already exists/);
  });

  it('refuses even when the existing schedule is paused', () => {
    given(ev.created(acme), ev.paused(acme))
      .when({ type: 'CreateSchedule', tenant: acme, spec: { every: 60 }, runner: 'demo' })
      .thenFails('conflict');
  });

  it('creates a fresh schedule for a deleted tenant slug', () => {
    given(ev.created(acme), ev.deleted(acme))
      .when({ type: 'CreateSchedule', tenant: acme, spec: { every: 120 }, runner: 'demo' })
      .then([ev.created(acme, 120)]);
  });

  it('only looks at the command tenant', () => {
    given(ev.created('other'))
      .when({ type: 'CreateSchedule', tenant: acme, spec: { every: 60 }, runner: 'demo' })
      .then([ev.created(acme)]);
  });
});

describe('decide: UpdateSchedule', () => {
  it('records only what changed', () => {
    given(ev.created(acme, 60))
      .when({ type: 'UpdateSchedule', tenant: acme, spec: { every: 600 }, runner: 'demo' })
      .then([ev.updated(acme, { spec: { every: 600 } })]);
  });

  it('records nothing when nothing changes', () => {
    given(ev.created(acme, 60)).when({ type: 'UpdateSchedule', tenant: acme, spec: { every: 60 }, runner: 'demo' }).then([]);
    given(ev.created(acme, 60)).when({ type: 'UpdateSchedule', tenant: acme }).then([]);
  });

  it('merges a policy change into the current policy', () => {
    given(ev.created(acme, 60, { policy: { timeoutSeconds: 30 } }))
      .when({ type: 'UpdateSchedule', tenant: acme, policy: { maxAttempts: 3 } })
      .then([ev.updated(acme, { policy: { timeoutSeconds: 30, maxAttempts: 3 } })]);
  });

  it('refuses an unknown tenant (404)', () => {
    given().when({ type: 'UpdateSchedule', tenant: acme, spec: { every: 60 } }).thenFails('not_found');
  });
});

describe('decide: PauseSchedule', () => {
  it('records the pause with its reason and end', () => {
    given(ev.created(acme))
      .when({ type: 'PauseSchedule', tenant: acme, reason: 'CRM maintenance', until: iso(T0 + 3_600_000) })
      .then([{ type: 'schedule.paused', tenant: acme, data: { reason: 'CRM maintenance', until: iso(T0 + 3_600_000) } }]);
  });

  it('records nothing when the schedule is already paused, even with another reason', () => {
    given(ev.created(acme), ev.paused(acme, 'first')).when({ type: 'PauseSchedule', tenant: acme, reason: 'second' }).then([]);
  });

  it('refuses an unknown or deleted tenant (404)', () => {
    given().when({ type: 'PauseSchedule', tenant: acme }).thenFails('not_found');
    given(ev.created(acme), ev.deleted(acme)).when({ type: 'PauseSchedule', tenant: acme }).thenFails('not_found');
  });
});

describe('decide: ResumeSchedule', () => {
  it('resumes a paused schedule', () => {
    given(ev.created(acme), ev.paused(acme)).when({ type: 'ResumeSchedule', tenant: acme }).then([ev.resumed(acme)]);
  });

  it('records nothing for a schedule that is not paused', () => {
    given(ev.created(acme)).when({ type: 'ResumeSchedule', tenant: acme }).then([]);
    given(ev.created(acme), ev.paused(acme), ev.resumed(acme)).when({ type: 'ResumeSchedule', tenant: acme }).then([]);
  });

  it('refuses an unknown tenant (404)', () => {
    given().when({ type: 'ResumeSchedule', tenant: acme }).thenFails('not_found');
  });
});

describe('decide: DeleteSchedule', () => {
  it('deletes a schedule, paused or not', () => {
    given(ev.created(acme)).when({ type: 'DeleteSchedule', tenant: acme }).then([ev.deleted(acme)]);
    given(ev.created(acme), ev.paused(acme)).when({ type: 'DeleteSchedule', tenant: acme }).then([ev.deleted(acme)]);
  });

  it('refuses an unknown or already deleted tenant (404)', () => {
    given().when({ type: 'DeleteSchedule', tenant: acme }).thenFails('not_found');
    given(ev.created(acme), ev.deleted(acme)).when({ type: 'DeleteSchedule', tenant: acme }).thenFails('not_found');
  });
});

describe('decide: StartRun', () => {
  const start = { type: 'StartRun', tenant: acme, runId: 'r1', trigger: 'manual', scheduledFor: iso(T0), attempt: 1 } as const;

  it('starts a run', () => {
    given(ev.created(acme))
      .when(start)
      .then([{ type: 'run.started', tenant: acme, data: { runId: 'r1', trigger: 'manual', scheduledFor: iso(T0), attempt: 1 } }]);
  });

  it('refuses a second run while one is going (409), and allows one after it finished', () => {
    given(ev.created(acme), ev.started(acme, 'r0')).when(start).thenFails('conflict', /r0/);
    given(ev.created(acme), ev.started(acme, 'r0'), ev.succeeded(acme, 'r0')).when(start).then([
      { type: 'run.started', tenant: acme, data: { runId: 'r1', trigger: 'manual', scheduledFor: iso(T0), attempt: 1 } },
    ]);
  });

  it('refuses an unknown tenant (404)', () => {
    given().when(start).thenFails('not_found');
  });
});
