import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type pg from 'pg';
import { JournalError } from '../journal/journal.ts';
import type { Logger } from '../logger.ts';
import { Projector } from '../projections/projector.ts';
import type { Store } from '../store/store.ts';
import { EMPTY_HEAD, type Head } from './event-rows.ts';
import { type LeaderLease, startLeaderLease } from './leader-lease.ts';
import { migrate } from './migrations.ts';
import { PgJournal } from './pg-journal.ts';
import { pgNames } from './pg-names.ts';
import { createPgPool, isConnectionError } from './pg-pool.ts';
import { PgSnapshots } from './pg-snapshots.ts';
import { createRunRelay, type RunRelay } from './run-relay.ts';
import { pgSharedSecrets, type SharedSecrets } from './shared-secrets.ts';

export interface PgStoreOptions {
  connectionString: string;
  schema: string;
  log: Logger;
  // names this instance in the leases table and in logs
  instanceId?: string;
  poolMax?: number;
  pollMs?: number;
  lease?: { ttlMs?: number; renewMs?: number };
  // the leader writes a snapshot after this many new events
  snapshotEvery?: number;
}

export interface PgStore extends Store {
  readonly kind: 'postgres';
  readonly journal: PgJournal;
  readonly lease: LeaderLease;
  readonly secrets: SharedSecrets;
  // "run now" on an instance that does not lead (for leaderScheduler)
  readonly relay: RunRelay;
  readonly pool: pg.Pool;
  readonly instanceId: string;
}

// The URL without its password, for messages.
export const redactUrl = (url: string): string => url.replace(/\/\/([^:/@]+):[^@/]*@/, '//$1:***@');

// The multi-instance store: the journal and shared state in PostgreSQL, the projections
// in memory, rebuilt on start from the newest snapshot and the events after it.
export const openPgStore = async (options: PgStoreOptions): Promise<PgStore> => {
  const { log } = options;
  const started = performance.now();
  const instanceId = options.instanceId ?? `${os.hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const names = pgNames(options.schema);
  const pool = createPgPool({ connectionString: options.connectionString, log, max: options.poolMax });
  let journal: PgJournal | undefined;
  try {
    const migrated = await migrate(pool, names).catch((error: unknown) => {
      if (!isConnectionError(error)) throw error;
      throw new JournalError(`cannot reach PostgreSQL at ${redactUrl(options.connectionString)}: ${(error as Error).message}`, 'unavailable', {
        cause: error,
      });
    });
    if (migrated.applied.length > 0) log.info('postgres schema migrated', { schema: names.schema, applied: migrated.applied });
    journal = await PgJournal.open({ pool, names, connectionString: options.connectionString, log, pollMs: options.pollMs });
    const snapshots = new PgSnapshots(pool, names);
    const candidates = await snapshots.candidates((m, f) => log.warn(m, f));
    const resumed = candidates[0];
    const projector = resumed ? Projector.from(resumed.state) : new Projector();
    const from: Head = resumed ? { seq: resumed.seq, hash: resumed.hash, ts: resumed.state.lastEvent?.ts ?? null } : EMPTY_HEAD;
    let replayed = 0;
    const head = await journal.replay(from, (e) => {
      projector.apply(e);
      replayed += 1;
    });
    log.info('journal opened', {
      store: 'postgres',
      schema: names.schema,
      seq: head.seq,
      snapshot: resumed ? resumed.seq : 'none',
      replayed,
      ms: Math.round(performance.now() - started),
    });

    const lease = startLeaderLease({ pool, names, holder: instanceId, log, ...options.lease });
    const snapshotEvery = options.snapshotEvery ?? 10_000;
    let snapshotSeq = resumed?.seq ?? 0;
    let snapshotting: Promise<void> | null = null;
    const opened = journal;
    const snapshot = async (): Promise<void> => {
      // State and position must describe the same seq; a projector still catching up waits.
      const position = opened.position;
      if (projector.seq !== position.seq || position.seq === snapshotSeq) return;
      snapshotSeq = position.seq;
      await snapshots.write({ seq: position.seq, hash: position.hash, state: projector.toState() }).catch((error: unknown) => {
        log.warn('snapshot failed; start-up will replay a longer tail', { error: (error as Error).message });
      });
    };
    const subscription = journal.subscribe(head.seq, (events) => {
      for (const e of events) projector.apply(e);
      // One writer is enough, and the leader is the one instance there always is.
      if (!snapshotting && lease.isLeader && projector.seq - snapshotSeq >= snapshotEvery) {
        snapshotting = snapshot().finally(() => (snapshotting = null));
      }
    });

    return {
      kind: 'postgres',
      journal,
      projector,
      lease,
      secrets: pgSharedSecrets(pool, names),
      relay: createRunRelay({ pool, names, connectionString: options.connectionString, holder: instanceId, log }),
      pool,
      instanceId,
      snapshot: async () => {
        while (snapshotting) await snapshotting;
        await snapshot();
      },
      close: async () => {
        await lease.stop();
        await opened.close();
        subscription.close();
        while (snapshotting) await snapshotting;
        await pool.end().catch(() => {});
      },
    };
  } catch (error) {
    await journal?.close().catch(() => {});
    await pool.end().catch(() => {});
    throw error;
  }
};
