import type pg from 'pg';
import type { Logger } from '../logger.ts';
import type { PgNames } from './pg-names.ts';

// Which instance fires scheduled runs. Every instance serves the API, UI and stream.
export interface LeaderLease {
  readonly holder: string;
  readonly isLeader: boolean;
  // called on every change, with the new value; returns an unsubscribe function
  onChange(listener: (isLeader: boolean) => void): () => void;
  stop(): Promise<void>;
}

export interface LeaseOptions {
  pool: pg.Pool;
  names: PgNames;
  holder: string;
  log: Logger;
  name?: string;
  // a holder that stops renewing loses the lease this long after its last renewal
  ttlMs?: number;
  renewMs?: number;
  // a monotonic clock for the local deadline (wall-clock jumps must not extend a lease)
  monotonicNow?: () => number;
}

// A row in the leases table, renewed by its holder and taken over by anyone once it has
// expired. Expiry is judged by the database's clock, so instances' clocks may disagree.
// The holder counts its own deadline from when it *sent* the renewal, which is before the
// database stamped it, so it always steps down before anyone else may take over.
export const startLeaderLease = (options: LeaseOptions): LeaderLease => {
  const { pool, names, holder, log } = options;
  const name = options.name ?? 'scheduler';
  const ttlMs = options.ttlMs ?? 5_000;
  const renewMs = options.renewMs ?? 1_000;
  const now = options.monotonicNow ?? (() => performance.now());
  const listeners = new Set<(isLeader: boolean) => void>();
  let leader = false;
  let deadline = 0;
  let stopped = false;
  let ticking: Promise<void> | null = null;

  const set = (value: boolean, why: string) => {
    if (value === leader) return;
    leader = value;
    log.info(value ? 'this instance is now the leader: it fires scheduled runs' : 'this instance is no longer the leader', { holder, why });
    for (const listener of listeners) {
      try {
        listener(value);
      } catch (error) {
        log.error('a leadership listener failed', { error: (error as Error).message });
      }
    }
  };

  const tick = async () => {
    const sentAt = now();
    try {
      const { rows } = await pool.query(
        `INSERT INTO ${names.table('leases')} AS l (name, holder, expires_at, acquired_at)
         VALUES ($1, $2, now() + $3 * interval '1 millisecond', now())
         ON CONFLICT (name) DO UPDATE
           SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at,
               acquired_at = CASE WHEN l.holder = EXCLUDED.holder THEN l.acquired_at ELSE now() END
           WHERE l.holder = EXCLUDED.holder OR l.expires_at < now()
         RETURNING holder`,
        [name, holder, ttlMs],
      );
      if (stopped) return;
      if (rows.length === 1) {
        // a tenth of the ttl spare for the renewal's own trip and timer lateness
        deadline = sentAt + ttlMs * 0.9;
        set(true, 'lease renewed');
      } else {
        set(false, 'another instance holds the lease');
      }
    } catch (error) {
      // Keep leading until the deadline: nobody else can take over before then anyway.
      if (leader) log.warn('cannot renew the leader lease', { error: (error as Error).message });
    }
  };

  const timer = setInterval(() => {
    if (leader && now() >= deadline) set(false, 'the lease expired before it could be renewed');
    ticking ??= tick().finally(() => (ticking = null));
  }, renewMs);
  timer.unref();
  ticking = tick().finally(() => (ticking = null));

  return {
    holder,
    get isLeader() {
      return leader && now() < deadline;
    },
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      while (ticking) await ticking;
      const held = leader;
      set(false, 'stopping');
      // Hand over at once instead of making the others wait for the expiry.
      if (held) {
        await pool
          .query(`DELETE FROM ${names.table('leases')} WHERE name = $1 AND holder = $2`, [name, holder])
          .catch((error: unknown) => log.warn('could not release the leader lease; it expires by itself', { error: (error as Error).message }));
      }
    },
  };
};
