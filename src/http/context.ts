import type { Clock } from '../core/clock.ts';
import type { ServerMetrics } from '../core/metrics/server-metrics.ts';
import type { RunnerName } from '../core/domain/events.ts';
import type { Logger } from '../core/logger.ts';
import type { Scheduler } from '../core/scheduler/scheduler.ts';
import type { CommandService, Origin } from '../core/service.ts';
import type { Store } from '../core/store/store.ts';
import type { Access } from './access.ts';
import type { SseHub } from './sse-hub.ts';

export type Role = 'viewer' | 'operator';

export interface Principal {
  role: Role;
  name: string;
  via: 'bearer' | 'cookie' | 'open';
}

export interface AppDeps {
  store: Store;
  service: CommandService;
  clock: Clock;
  log: Logger;
  // where the built UI lives; absent: no UI is served
  webRoot?: string;
  allowedHosts?: string[];
  // absent: access control is off (only allowed on loopback; the config enforces it)
  access?: Access;
  // origins allowed to call the API from a browser (CC_CORS_ORIGINS); none by default
  corsOrigins?: string[];
  // the open event streams; serve() passes its own so it can end them on shutdown
  streams?: SseHub;
  metrics?: ServerMetrics;
  // absent: no runs start here (run now answers 503); health and summary say so
  scheduler?: Pick<Scheduler, 'runNow' | 'state'>;
  // several instances on one database: whether this one holds the leader lease (health says so)
  leader?: () => boolean;
  // the runner of a schedule created without one (CC_RUNNER); absent: demo
  defaultRunner?: RunnerName;
}

export type Env = { Variables: { principal: Principal } };

export const originOf = (p: Principal): Origin => ({ source: p.via === 'cookie' ? 'ui' : 'api', actor: p.name });
