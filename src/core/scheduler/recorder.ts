import type { Command, RunOutcome } from '../domain/commands.ts';
import type { Logger } from '../logger.ts';
import type { CommandService, Origin } from '../service.ts';
import { delay, type Timers } from '../timers.ts';

export const SCHEDULER: Origin = { source: 'scheduler', actor: 'scheduler' };
const FINISH_TRIES = 6;

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

// The scheduler's own writes, all through the command service like any other change.
export class Recorder {
  private readonly inProgress = new Set<Promise<unknown>>();

  constructor(
    private readonly service: CommandService,
    private readonly timers: Timers,
    private readonly log: Logger,
  ) {}

  // The end of a run must be recorded; a journal that is briefly unavailable gets a few tries
  // (about a minute). Past them the projection keeps the run as running, and the next start
  // records it as interrupted.
  async finish(tenant: string, runId: string, durationMs: number, outcome: RunOutcome, tries = FINISH_TRIES): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.service.execute({ type: 'FinishRun', tenant, runId, durationMs, outcome }, SCHEDULER);
        return;
      } catch (error) {
        const last = attempt >= tries;
        this.log.error(last ? 'could not record the end of a run' : 'could not record the end of a run; trying again', {
          tenant,
          runId,
          error: message(error),
        });
        if (last) return;
        await delay(this.timers, Math.min(1000 * 2 ** (attempt - 1), 30_000));
      }
    }
  }

  // Fire and forget (skips, auto-pause, auto-resume): a failure is logged, and settled()
  // waits for whatever is still being written.
  record(command: Command, onError?: () => void): void {
    const work = this.service.execute(command, SCHEDULER);
    this.inProgress.add(work);
    work.then(
      () => this.inProgress.delete(work),
      (error: unknown) => {
        this.inProgress.delete(work);
        this.log.error('scheduler could not record', { tenant: command.tenant, type: command.type, error: message(error) });
        onError?.();
      },
    );
  }

  async settled(): Promise<void> {
    await Promise.allSettled([...this.inProgress]);
  }
}
