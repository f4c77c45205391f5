import type { Envelope } from '../domain/events.ts';
import type { State } from '../domain/projection.ts';
import type { Journal } from '../journal/journal.ts';
import type { Logger } from '../logger.ts';
import type { CheckpointStore } from './checkpoints.ts';
import { walkJournal } from './journal-walk.ts';
import type { Projector } from './projector.ts';
import { startingPoint } from './replay.ts';

// Writes a checkpoint every `every` events: live, as the server's projector passes each
// multiple, and in the background for the stretches no checkpoint covers yet (a journal that
// predates checkpoints, or whose checkpoints were of another projection version).
export class Checkpointer {
  private writing: Promise<unknown> = Promise.resolve();
  private queued = 0;
  private stopped = false;

  constructor(
    private readonly checkpoints: CheckpointStore,
    readonly every: number,
    private readonly log: Logger,
  ) {}

  // Called with each event the live projector applied. The state is taken now (it is cheap:
  // the projector's records are immutable values) and written behind.
  applied(e: Envelope, projector: Projector): void {
    if (e.seq % this.every !== 0) return;
    // a disk that cannot keep up loses checkpoints, never blocks the projector
    if (this.queued >= 2) return;
    this.write(projector.toState());
  }

  private write(state: State): Promise<void> {
    this.queued += 1;
    const done = this.writing.then(() =>
      this.checkpoints.write(state).then(
        () => undefined,
        (error: unknown) => this.log.warn('checkpoint failed; replays to points after it fold a longer stretch', { seq: state.seq, error: (error as Error).message }),
      ),
    );
    this.writing = done.finally(() => (this.queued -= 1));
    return done;
  }

  // Folds from the newest checkpoint up to `upTo`, writing the missing ones. Runs beside the
  // server: it reads pages through the journal like any reader and yields between them.
  async backfill(journal: Pick<Journal, 'read' | 'lastSeq'>, upTo: number, floorSeq = 0): Promise<number> {
    const last = Math.floor(upTo / this.every) * this.every;
    const entries = await this.checkpoints.list();
    if (last === 0 || (entries[entries.length - 1]?.seq ?? 0) >= last) return 0;
    const projector = (await startingPoint(this.checkpoints, { seq: last }, floorSeq));
    if (!projector) {
      this.log.warn('cannot backfill checkpoints: the events before the prune boundary are gone and no checkpoint holds their state', { floorSeq });
      return 0;
    }
    let written = 0;
    for await (const e of walkJournal(journal, {}, last, projector.seq)) {
      if (this.stopped) break;
      projector.apply(e);
      if (e.seq % this.every === 0) {
        await this.write(projector.toState());
        written += 1;
      }
    }
    if (written > 0) this.log.info('wrote missing checkpoints', { written, through: projector.seq });
    return written;
  }

  // A checkpoint exactly at `seq` (a prune boundary: the state there must outlive the events).
  async ensureAt(journal: Pick<Journal, 'read' | 'lastSeq'>, seq: number, floorSeq = 0): Promise<void> {
    if ((await this.checkpoints.list()).some((e) => e.seq === seq)) return;
    const projector = (await startingPoint(this.checkpoints, { seq }, floorSeq));
    if (!projector) throw new Error(`no checkpoint at or after the prune boundary (seq ${floorSeq}) to rebuild the state as of seq ${seq} from`);
    for await (const e of walkJournal(journal, {}, seq, projector.seq)) projector.apply(e);
    if (projector.seq !== seq) throw new Error(`could not rebuild the state as of seq ${seq} (reached ${projector.seq})`);
    await this.checkpoints.write(projector.toState());
  }

  async settled(): Promise<void> {
    await this.writing;
  }

  stop(): void {
    this.stopped = true;
  }
}
