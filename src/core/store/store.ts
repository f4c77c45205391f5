import type { Journal } from '../journal/journal.ts';
import type { CheckpointStore } from '../projections/checkpoints.ts';
import type { Projector } from '../projections/projector.ts';
import type { StorageUsage } from './disk-usage.ts';

// A journal plus its live projections, however they are stored.
export interface Store {
  readonly kind: 'file' | 'memory' | 'postgres';
  readonly journal: Journal;
  readonly projector: Projector;
  snapshot(): Promise<void>;
  close(): Promise<void>;
  // File store: periodic copies of the projections, so a replay starts near its point.
  readonly checkpoints?: CheckpointStore;
  // File store: the first seq the journal still holds (after a prune; else 1).
  firstSeq?(): number;
  // File store: journal, archive and free disk, for health and metrics.
  usage?(): Promise<StorageUsage>;
}
