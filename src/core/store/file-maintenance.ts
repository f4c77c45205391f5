import type { Clock } from '../clock.ts';
import { SYSTEM_TENANT } from '../domain/events.ts';
import { Retention } from '../journal/retention.ts';
import type { Logger } from '../logger.ts';
import type { CommandService } from '../service.ts';
import type { Timers } from '../timers.ts';
import type { FileStore } from './file-store.ts';

export interface MaintenanceOptions {
  store: FileStore;
  service: CommandService;
  clock: Clock;
  timers: Timers;
  log: Logger;
  retentionDays: number;
  pruneDays?: number | undefined;
  everyMs?: number;
  firstMs?: number;
}

const HOUR_MS = 3600 * 1000;

// Retention for the file store, wired to the rest: a prune is recorded through the command
// service like any change (journal.pruned, tenant SYSTEM_TENANT, source scheduler, actor
// retention), after a checkpoint at the boundary keeps the state the cut events built.
export const fileRetention = (options: MaintenanceOptions): Retention => {
  const { store, service, log } = options;
  const retention = new Retention({
    journal: store.journal,
    journalDir: store.dirs.journal,
    archiveDir: store.dirs.archive,
    clock: options.clock,
    log,
    retentionDays: options.retentionDays,
    pruneDays: options.pruneDays,
    beforePrune: (seq) => store.checkpointer.ensureAt(store.journal, seq, store.journal.firstSeq - 1),
    recordPrune: async (data) => {
      await service.execute({ type: 'RecordPrune', tenant: SYSTEM_TENANT, ...data }, { source: 'scheduler', actor: 'retention' });
    },
  });
  retention.start(options.timers, options.everyMs ?? HOUR_MS, options.firstMs ?? 60_000);
  return retention;
};
