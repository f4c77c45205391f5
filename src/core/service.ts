import { nanoid } from 'nanoid';
import type { Command } from './domain/commands.ts';
import { decide } from './domain/decide.ts';
import type { Envelope, Source, Unsequenced } from './domain/events.ts';
import type { Schedule } from './domain/schedule.ts';
import type { Clock } from './clock.ts';
import type { Store } from './store/store.ts';

export interface Origin {
  source: Source;
  actor: string;
}

export interface Outcome {
  events: Envelope[];
  // the tenant's schedule after the command (undefined once deleted)
  schedule: Schedule | undefined;
}

export interface ServiceDeps {
  store: Store;
  clock: Clock;
  newId?: () => string;
  // told of every append and how long it took to become durable (metrics)
  onAppended?: (events: readonly Envelope[], seconds: number) => void;
}

// The one write path: decide on the tenant's current schedule, append, and answer once the
// events are durable and applied. Commands for one tenant run one at a time, so each decides
// on the state its predecessor left; different tenants share the journal's group commit.
export class CommandService {
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly newId: () => string;

  constructor(private readonly deps: ServiceDeps) {
    this.newId = deps.newId ?? (() => nanoid());
  }

  execute(command: Command, origin: Origin): Promise<Outcome> {
    const tenant = command.tenant;
    const previous = this.queues.get(tenant) ?? Promise.resolve();
    const run = previous.then(
      () => this.decideAndAppend(command, origin),
      () => this.decideAndAppend(command, origin),
    );
    const tail = run.catch(() => {});
    this.queues.set(tenant, tail);
    void tail.then(() => {
      if (this.queues.get(tenant) === tail) this.queues.delete(tenant);
    });
    return run;
  }

  private async decideAndAppend(command: Command, origin: Origin): Promise<Outcome> {
    const { store, clock } = this.deps;
    // Behind a load balancer the change just made through another instance must count.
    await store.journal.sync?.();
    const drafts = decide(command, store.projector.schedules.get(command.tenant));
    if (drafts.length === 0) return { events: [], schedule: store.projector.schedules.get(command.tenant) };
    const ts = new Date(clock.now()).toISOString();
    const started = performance.now();
    const events = await store.journal.append(
      drafts.map((d) => ({ ...d, id: this.newId(), ts, source: origin.source, actor: origin.actor }) as Unsequenced),
    );
    this.deps.onAppended?.(events, (performance.now() - started) / 1000);
    return { events, schedule: store.projector.schedules.get(command.tenant) };
  }
}
