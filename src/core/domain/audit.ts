import type { Envelope } from './events.ts';

export const AUDIT_LIMIT = 100;

export interface AuditEntry {
  seq: number;
  ts: string;
  tenant: string;
  operation: string;
  source: string;
  actor: string;
  metadata: Record<string, unknown>;
}

const RUN_OPERATION = { scheduled: 'scheduled-run', manual: 'manual-run', catchup: 'catchup-run', retry: 'retry-run' } as const;

// A short human word for what happened, as operators read it in the audit panel.
export const operationOf = (e: Envelope): string => {
  switch (e.type) {
    case 'schedule.created':
      return 'created';
    case 'schedule.updated':
      return e.data.revertedTo ? 'reverted' : 'updated';
    case 'schedule.paused':
      return 'paused';
    case 'schedule.resumed':
      return 'resumed';
    case 'schedule.deleted':
      return 'deleted';
    case 'run.started':
      return RUN_OPERATION[e.data.trigger];
    case 'run.succeeded':
      return 'run-succeeded';
    case 'run.failed':
      return 'run-failed';
    case 'run.skipped':
      return 'run-skipped';
    case 'journal.pruned':
      return 'pruned';
    default: {
      const unreachable: never = e;
      return unreachable;
    }
  }
};

export const auditEntry = (e: Envelope): AuditEntry => ({
  seq: e.seq,
  ts: e.ts,
  tenant: e.tenant,
  operation: operationOf(e),
  source: e.source,
  actor: e.actor,
  metadata: { type: e.type, ...e.data },
});

// Newest first, bounded.
export const evolveAudit = (audit: readonly AuditEntry[], e: Envelope): AuditEntry[] => {
  const next = [auditEntry(e), ...audit];
  if (next.length > AUDIT_LIMIT) next.length = AUDIT_LIMIT;
  return next;
};
