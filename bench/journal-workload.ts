import { nanoid } from 'nanoid';
import type { Envelope, Unsequenced } from '../src/core/domain/events.ts';
import type { Position } from '../src/core/journal/file-journal.ts';
import { SegmentWriter, seededRandom } from './segment-writer.ts';

const BASE_MS = Date.parse('2026-11-25T08:00:00.000Z');
export const TENANTS = 200;

const tenantName = (i: number) => `acme-${String(i).padStart(4, '0')}`;

// Unique 21-character ids, like nanoid's, without its cost landing in the timed loop.
const RUN = nanoid(12);
const counterId = (prefix: string, i: number) => `${prefix}${RUN}${i.toString(36).padStart(8, '0')}`;

// What the scheduler appends most often: one run.started, about 250 bytes of envelope JSON.
export const runStarted = (i: number): Unsequenced => {
  const ts = new Date(BASE_MS + i).toISOString();
  return {
    id: counterId('e', i),
    ts,
    type: 'run.started',
    tenant: tenantName(i % TENANTS),
    source: 'scheduler',
    actor: 'scheduler',
    data: { runId: counterId('r', i), trigger: 'scheduled', scheduledFor: ts, attempt: 1 },
  };
};

// A deterministic, realistic history: schedules created, then runs that start and finish
// (one in ten fails), with the odd pause and resume.
const historyEvent = (seq: number, random: () => number, open: Map<string, string>): Omit<Envelope, 'seq'> => {
  const ts = new Date(BASE_MS + seq * 1000).toISOString();
  const envelope = { id: nanoid(), ts, source: 'scheduler' as const, actor: 'scheduler' };
  if (seq <= TENANTS) {
    return { ...envelope, type: 'schedule.created', tenant: tenantName(seq - 1), source: 'api', actor: 'operator', data: { spec: { every: 300 }, runner: 'demo' } };
  }
  const tenant = tenantName(Math.floor(random() * TENANTS));
  const runId = open.get(tenant);
  if (runId === undefined) {
    const roll = random();
    if (roll < 0.01) return { ...envelope, type: 'schedule.paused', tenant, source: 'ui', actor: 'operator', data: { reason: 'CRM maintenance window' } };
    if (roll < 0.02) return { ...envelope, type: 'schedule.resumed', tenant, source: 'ui', actor: 'operator', data: {} };
    const id = nanoid();
    open.set(tenant, id);
    return { ...envelope, type: 'run.started', tenant, data: { runId: id, trigger: 'scheduled', scheduledFor: ts, attempt: 1 } };
  }
  open.delete(tenant);
  const durationMs = Math.round(500 + random() * 20_000);
  if (random() < 0.1) {
    return {
      ...envelope,
      type: 'run.failed',
      tenant,
      data: { runId, durationMs, error: 'import worker answered 502 Bad Gateway', errorClass: 'remote', attempt: 1, willRetry: false },
    };
  }
  const imported = Math.floor(random() * 500);
  return { ...envelope, type: 'run.succeeded', tenant, data: { runId, durationMs, result: { imported, watermark: ts } } };
};

export interface GeneratedJournal {
  events: number;
  bytes: number;
  segments: number;
  // where a graceful stop leaves its snapshot: at the last seq
  graceful: Position;
  // where a SIGKILL may leave it: `tail` events before the last seq
  killed: Position;
}

// Writes a valid hash-chained journal of `count` events straight to segment files, the way the
// journal itself would have (same lines, same rotation), and says where snapshots would stand.
export const generateJournal = (journalDir: string, count: number, tail: number): GeneratedJournal => {
  const random = seededRandom(42);
  const open = new Map<string, string>();
  const writer = new SegmentWriter(journalDir);
  let killed: Position | undefined;
  const killedAt = Math.max(1, count - tail);
  for (let seq = 1; seq <= count; seq++) {
    writer.append({ seq, ...historyEvent(seq, random, open) } as Envelope);
    if (seq === killedAt) killed = writer.position();
  }
  writer.close();
  return { events: count, bytes: writer.bytes, segments: writer.segments.length, graceful: writer.position(), killed: killed! };
};
