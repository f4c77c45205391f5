import { nanoid } from 'nanoid';
import type pg from 'pg';
import { DomainError, type DomainErrorCode, unavailable } from '../domain/errors.ts';
import type { Source } from '../domain/events.ts';
import type { Logger } from '../logger.ts';
import type { Origin } from '../service.ts';
import { PgListener } from './pg-listener.ts';
import type { PgNames } from './pg-names.ts';

export interface RunRelayOptions {
  pool: pg.Pool;
  names: PgNames;
  connectionString: string;
  holder: string;
  log: Logger;
  // how long an instance waits for the leader to answer before giving up with 503
  answerTimeoutMs?: number;
  pollMs?: number;
}

export interface RunRelay {
  // On an instance that does not lead: ask the leader to start a run, answer as it did.
  ask(tenant: string, origin: Origin): Promise<{ runId: string }>;
  // On the leader, for its term: start the runs others ask for. Returns "stop serving".
  serve(runNow: (tenant: string, origin: Origin) => Promise<{ runId: string }>): () => Promise<void>;
}

const CODES = new Set<DomainErrorCode>(['invalid', 'not_found', 'conflict', 'unavailable']);
const FORGET_AFTER = "interval '1 hour'";
const STALE_REQUEST = "interval '30 seconds'";

interface Answer {
  run_id: string | null;
  error_code: string | null;
  error_message: string | null;
  answered_at: Date | null;
}

// "Run now" behind a load balancer: whichever instance receives it, the leader starts the
// run (one scheduler, one concurrency cap). The request goes through a table, the leader
// is woken by NOTIFY (and polls slowly in case a notification is lost), and the asking
// instance reads the answer back: the run's id, or the error the leader's scheduler gave.
export const createRunRelay = (options: RunRelayOptions): RunRelay => {
  const { pool, names, log } = options;
  const table = names.table('run_requests');
  const timeoutMs = options.answerTimeoutMs ?? 10_000;
  const pollMs = options.pollMs ?? 25;
  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  const ask = async (tenant: string, origin: Origin): Promise<{ runId: string }> => {
    const id = nanoid();
    try {
      await pool.query(`INSERT INTO ${table} (id, tenant, source, actor) VALUES ($1, $2, $3, $4)`, [id, tenant, origin.source, origin.actor]);
      await pool.query(`SELECT pg_notify('${names.runsChannel}', $1)`, [id]);
    } catch (error) {
      throw unavailable(`could not pass the run to the leader instance: ${(error as Error).message}`);
    }
    let deadline = performance.now() + timeoutMs;
    for (;;) {
      await pause(pollMs);
      const { rows } = await pool.query<Answer>(`SELECT run_id, error_code, error_message, answered_at FROM ${table} WHERE id = $1`, [id]).catch(() => ({ rows: [] as Answer[] }));
      const answer = rows[0];
      if (answer?.answered_at) {
        if (answer.run_id) return { runId: answer.run_id };
        const code = CODES.has(answer.error_code as DomainErrorCode) ? (answer.error_code as DomainErrorCode) : 'unavailable';
        throw new DomainError(code, answer.error_message ?? 'the leader could not start the run');
      }
      if (performance.now() < deadline) continue;
      // Withdraw the request unless the leader has taken it, so it never runs unasked-for later.
      const withdrawn = await pool.query(`DELETE FROM ${table} WHERE id = $1 AND claimed_by IS NULL`, [id]).catch(() => ({ rowCount: 0 }));
      if (withdrawn.rowCount === 1 || answer === undefined) throw unavailable('no leader instance answered; try again in a few seconds');
      // taken but not answered yet: the run is starting, give it as long again
      deadline = performance.now() + timeoutMs;
    }
  };

  const serve = (runNow: (tenant: string, origin: Origin) => Promise<{ runId: string }>) => {
    let stopped = false;
    let draining: Promise<void> | null = null;
    let again = false;
    const answer = (id: string, values: { runId?: string; code?: string; message?: string }) =>
      pool.query(`UPDATE ${table} SET answered_at = now(), run_id = $2, error_code = $3, error_message = $4 WHERE id = $1`, [
        id,
        values.runId ?? null,
        values.code ?? null,
        values.message ?? null,
      ]);
    const drainOnce = async () => {
      const { rows } = await pool.query<{ id: string; tenant: string; source: Source; actor: string }>(
        `UPDATE ${table} SET claimed_by = $1
         WHERE id IN (SELECT id FROM ${table} WHERE claimed_by IS NULL AND requested_at > now() - ${STALE_REQUEST} ORDER BY requested_at FOR UPDATE SKIP LOCKED)
         RETURNING id, tenant, source, actor`,
        [options.holder],
      );
      await Promise.all(
        rows.map(async (r) => {
          try {
            const { runId } = await runNow(r.tenant, { source: r.source, actor: r.actor });
            await answer(r.id, { runId });
          } catch (error) {
            const code = error instanceof DomainError ? error.code : 'unavailable';
            await answer(r.id, { code, message: (error as Error).message });
          }
        }),
      );
      await pool.query(`DELETE FROM ${table} WHERE requested_at < now() - ${FORGET_AFTER}`);
    };
    const drain = () => {
      if (stopped) return;
      if (draining) {
        again = true;
        return;
      }
      draining = drainOnce()
        .catch((error: unknown) => log.warn('could not serve run requests', { error: (error as Error).message }))
        .finally(() => {
          draining = null;
          if (again) {
            again = false;
            drain();
          }
        });
    };
    const listener = new PgListener({ connectionString: options.connectionString, channel: names.runsChannel, log, onWake: drain });
    listener.start();
    const timer = setInterval(drain, 1_000);
    timer.unref();
    return async () => {
      stopped = true;
      clearInterval(timer);
      await listener.stop();
      while (draining) await draining;
    };
  };

  return { ask, serve };
};
