import type { Envelope } from '../domain/events.ts';
import type { Journal, ReadQuery } from '../journal/journal.ts';

const PAGE = 1000;

// The journal's events in seq order, a page at a time, so memory stays flat however long it is.
export async function* walkJournal(
  journal: Pick<Journal, 'read'>,
  filter: Omit<ReadQuery, 'after' | 'limit'> = {},
  upTo = Number.POSITIVE_INFINITY,
  from = 0,
  page = PAGE,
): AsyncGenerator<Envelope> {
  let after = from;
  while (after < upTo) {
    const events = await journal.read({ ...filter, after, limit: page });
    if (events.length === 0) return;
    for (const e of events) {
      if (e.seq > upTo) return;
      yield e;
    }
    after = events[events.length - 1]!.seq;
  }
}
