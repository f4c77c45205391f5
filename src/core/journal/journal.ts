import type { Envelope, Unsequenced } from '../domain/events.ts';

export interface ReadQuery {
  after: number;
  limit: number;
  tenant?: string;
  type?: string;
}

// Batches arrive in seq order, each event exactly once, only after it is durable.
export type Listener = (events: readonly Envelope[]) => void;

export interface Subscription {
  close(): void;
}

export interface Journal {
  // Assigns seq (gapless) and keeps ts monotonic; resolves once the events are durable.
  append(events: readonly Unsequenced[]): Promise<Envelope[]>;
  read(query: ReadQuery): Promise<Envelope[]>;
  // History after `after`, then live, with no gap and no duplicate between the two.
  subscribe(after: number, listener: Listener, onError?: (error: Error) => void): Subscription;
  readonly lastSeq: number;
  readonly lastTs: string | null;
  // Journals other processes append to (PostgreSQL): resolves once this process has seen
  // every event committed anywhere so far. Absent where this process is the only writer.
  sync?(): Promise<void>;
  close(): Promise<void>;
}

// What a failed append left behind, so a client knows whether retrying could record the
// change twice.
export type AppendOutcome = 'not-recorded' | 'unknown' | 'recorded';

export class JournalError extends Error {
  // 'not-recorded' unless the thrower says otherwise: journals fail before anything is
  // durable (the file journal cuts off bytes it could not fsync). A PostgreSQL commit whose
  // connection died on the way is 'unknown'; one committed but not yet read back, 'recorded'.
  readonly outcome: AppendOutcome;

  constructor(
    message: string,
    readonly code: 'unavailable' | 'corrupt' | 'closed' | 'locked',
    options?: { cause?: unknown; outcome?: AppendOutcome },
  ) {
    super(message, options);
    this.name = 'JournalError';
    this.outcome = options?.outcome ?? 'not-recorded';
  }
}

export const matches = (e: Envelope, q: Pick<ReadQuery, 'tenant' | 'type'>): boolean =>
  (q.tenant === undefined || e.tenant === q.tenant) && (q.type === undefined || e.type === q.type);

// ts never decreases along seq, whatever the clocks of the writers did.
export const monotonicTs = (ts: string, lastTs: string | null): string => (lastTs !== null && ts < lastTs ? lastTs : ts);
