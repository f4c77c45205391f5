import { MemoryJournal } from '../../../src/core/journal/memory-journal.ts';
import { journalContract } from './journal-contract.ts';

journalContract('MemoryJournal', async () => {
  const journal = new MemoryJournal();
  return { journal, cleanup: () => journal.close() };
});
