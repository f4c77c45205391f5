import { MemoryJournal } from '../journal/memory-journal.ts';
import { Projector } from '../projections/projector.ts';
import type { Store } from './store.ts';

export const openMemoryStore = (): Store => {
  const journal = new MemoryJournal();
  const projector = new Projector();
  const subscription = journal.subscribe(0, (events) => {
    for (const e of events) projector.apply(e);
  });
  return {
    kind: 'memory',
    journal,
    projector,
    snapshot: async () => {},
    close: async () => {
      await journal.close();
      subscription.close();
    },
  };
};
