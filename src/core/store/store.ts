import type { Journal } from '../journal/journal.ts';
import type { Projector } from '../projections/projector.ts';

// A journal plus its live projections, however they are stored.
export interface Store {
  readonly kind: 'file' | 'memory' | 'postgres';
  readonly journal: Journal;
  readonly projector: Projector;
  snapshot(): Promise<void>;
  close(): Promise<void>;
}
