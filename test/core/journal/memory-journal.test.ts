import { MemoryJournal } from '../../../src/core/journal/memory-journal.ts';
import { describe, expect, it } from 'vitest';
import { draft } from './drafts.ts';
import { journalContract } from './journal-contract.ts';

journalContract('MemoryJournal', async () => {
  const journal = new MemoryJournal();
  return { journal, cleanup: () => journal.close() };
});

describe('a listener that throws', () => {
  it('is detached and told, while the writer and the other listeners go on', async () => {
    const journal = new MemoryJournal();
    const seen: number[] = [];
    const failures: string[] = [];
    journal.subscribe(0, () => {
      throw new Error('listener bug');
    }, (error) => failures.push(error.message));
    journal.subscribe(0, (events) => seen.push(...events.map((e) => e.seq)));
    await journal.append([draft('a')]);
    await journal.append([draft('b')]);
    expect(failures).toEqual(['listener bug']);
    expect(seen).toEqual([1, 2]);
  });
});
