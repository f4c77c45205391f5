import path from 'node:path';
import fs from 'node:fs';
import { nanoid } from 'nanoid';
import { fileURLToPath } from 'node:url';
import { serve as serveHttp, type ServerType } from '@hono/node-server';
import { systemClock } from './core/clock.ts';
import { allowedHostsFor, type Config } from './core/config.ts';
import type { Logger } from './core/logger.ts';
import { CommandService } from './core/service.ts';
import { openPgStore } from './core/pg/pg-store.ts';
import { sharedSessionKey } from './core/pg/shared-secrets.ts';
import { fileRetention } from './core/store/file-maintenance.ts';
import { openFileStore } from './core/store/file-store.ts';
import type { Store } from './core/store/store.ts';
import { createApp } from './http/app.ts';
import { loadSessionKey, SessionSigner } from './core/access/session-signer.ts';
import { type Role, TokenStore } from './core/access/token-store.ts';
import { sharedTokenBackend } from './core/access/shared-token-backend.ts';
import { createServerMetrics, observeScheduler } from './core/metrics/server-metrics.ts';
import { createAccess } from './http/access.ts';
import { SseHub } from './http/sse-hub.ts';
import { createStartingApp, type StartingProgress } from './http/starting-app.ts';
import { leaderScheduler } from './core/pg/leader-scheduler.ts';
import { createDemoRunner } from './core/runners/demo-runner.ts';
import { createHttpRunner } from './core/runners/http-runner.ts';
import { createScheduler, type Scheduler } from './core/scheduler/scheduler.ts';
import { AlertWebhook } from './core/alerts/alert-webhook.ts';
import { observeAlerts, watchAlerts } from './core/alerts/alerts.ts';
import { systemTimers } from './core/timers.ts';

// The built UI beside this file's package: src/serve.ts runs from the sources (tsx) and from
// the server bundle dist/server/cli.js, one level deeper or not, so look for package.json.
const packageRoot = (from: string): string => {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(from, '..');
  }
};
export const WEB_ROOT = path.join(packageRoot(path.dirname(fileURLToPath(import.meta.url))), 'dist/web');

export interface Running {
  url: string;
  store: Store;
  server: ServerType;
  // built-in tokens generated on this start, to be shown once; empty on later starts
  generatedTokens: Partial<Record<Role, string>>;
  stop(): Promise<void>;
}

// How long shutdown waits for requests in flight before cutting their connections.
const CLOSE_GRACE_MS = 5_000;
// How long shutdown lets import runs in flight finish (under the usual 10 s before SIGKILL).
const RUN_GRACE_MS = 8_000;

// The one place real defaults are wired together.
export const startServer = async (config: Config, log: Logger): Promise<Running> => {
  // The port is bound first and answers "starting" (503, with replay progress on
  // /api/health) until everything below is ready: a start that replays a long journal
  // takes minutes and must not look like a dead server.
  const progress: StartingProgress = { replayed: 0, startedAt: performance.now() };
  let app: { fetch: (request: Request, env: unknown) => Response | Promise<Response> } | undefined;
  const server = await new Promise<ServerType>((resolve, reject) => {
    const s = serveHttp({ fetch: (request, env) => (app ? app.fetch(request, env) : new Response(null, { status: 503 })), hostname: config.host, port: config.port }, () => resolve(s));
    s.once('error', reject);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const allowedHosts = allowedHostsFor({ ...config, port });
  app = createStartingApp({ allowedHosts, progress });
  try {
    return await boot(config, log, { server, port, allowedHosts, progress, ready: (a) => (app = a) });
  } catch (error) {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    throw error;
  }
};

interface Bound {
  server: ServerType;
  port: number;
  allowedHosts: string[];
  progress: StartingProgress;
  // hands the port over from the "starting" answers to the real app
  ready: (app: ReturnType<typeof createApp>) => void;
}

const boot = async (config: Config, log: Logger, { server, port, allowedHosts, progress, ready }: Bound): Promise<Running> => {
  // what is running so far, closed newest first if a later step of the start fails
  const opened: (() => unknown)[] = [];
  try {
    return await bootSteps(config, log, { server, port, allowedHosts, progress, ready }, (close) => opened.push(close));
  } catch (error) {
    for (const close of opened.reverse()) await Promise.resolve(close()).catch(() => {});
    throw error;
  }
};

const bootSteps = async (
  config: Config,
  log: Logger,
  { server, port, allowedHosts, progress, ready }: Bound,
  opened: (close: () => unknown) => void,
): Promise<Running> => {
  // CC_STORE=postgres: several instances on one database (config requires DATABASE_URL then)
  const pg = config.store === 'postgres' ? await openPgStore({ connectionString: config.databaseUrl ?? '', schema: config.pgSchema, log }) : undefined;
  const fileStore = pg
    ? undefined
    : await openFileStore({
        dataDir: config.dataDir,
        log,
        checkpointEvery: config.checkpointEvery,
        minFreeMb: config.minFreeMb,
        onReplayProgress: (replayed) => (progress.replayed = replayed),
      });
  const store: Store = pg ?? fileStore!;
  opened(() => store.close());
  const clock = systemClock;
  const streams = new SseHub(store.journal);
  const metrics = createServerMetrics({ store, clock, sseClients: () => streams.size });
  opened(() => metrics.close());
  const service = new CommandService({ store, clock, onAppended: (_events, seconds) => metrics.appendLatency.observe(seconds) });
  // On PostgreSQL the token hashes live in the database, so every instance knows every token.
  const tokenBackend = pg
    ? sharedTokenBackend(pg.secrets, {
        where: `the shared_secrets table of schema "${config.pgSchema}"`,
        onStale: (error) => log.warn('tokens could not be read from the database; using the ones read last', { error: error.message }),
      })
    : config.dataDir;
  const tokens =
    config.auth === 'on' ? new TokenStore(tokenBackend, { operator: config.operatorToken, viewer: config.viewerToken }, () => clock.now()) : undefined;
  // An unreadable tokens file stops the start with a message naming it, rather than
  // answering every request with 500.
  await tokens?.check();
  const access = tokens ? createAccess({ tokens, signer: new SessionSigner(pg ? await sharedSessionKey(pg.secrets) : loadSessionKey(config.dataDir)), clock, sessionDays: config.sessionDays }) : undefined;
  if (!access) log.warn('access control is off (CC_AUTH=off): anyone who can reach this loopback port can change schedules');
  const runners = {
    demo: createDemoRunner({ timers: systemTimers }),
    ...(config.importUrl ? { http: createHttpRunner({ url: config.importUrl, secret: config.importSecret, clock }) } : {}),
  };
  if (config.importUrl && !config.importSecret) log.warn('CC_IMPORT_SECRET is not set: calls to the import worker are not signed');
  const newScheduler = () => createScheduler({ store, service, clock, timers: systemTimers, runners, log });
  // On PostgreSQL every instance serves the API, but only the lease holder fires runs.
  const scheduler: Scheduler = pg ? leaderScheduler({ lease: pg.lease, create: newScheduler, log, relay: pg.relay }) : newScheduler();
  observeScheduler(metrics.registry, () => scheduler.state());
  // CC_ALERT_URL: one signed POST per transition (ERROR, stale, paused by the scheduler, recovered).
  // Watching starts before the scheduler does, so the runs it records as interrupted by the
  // restart are transitions too, not part of the baseline.
  const alertSecret = config.alertSecret ?? config.importSecret;
  const webhook = config.alertUrl ? new AlertWebhook({ url: config.alertUrl, secret: alertSecret, timers: systemTimers, log }) : undefined;
  if (webhook) {
    opened(() => webhook.stop());
    observeAlerts(metrics.registry, webhook);
    if (!alertSecret) log.warn('CC_ALERT_SECRET (or CC_IMPORT_SECRET) is not set: alerts are not signed');
  }
  const alerts = webhook ? watchAlerts({ store, clock, timers: systemTimers, webhook, newId: () => nanoid() }) : undefined;
  if (alerts) opened(() => alerts.stop());
  const app = createApp({
    store,
    service,
    clock,
    log,
    webRoot: WEB_ROOT,
    allowedHosts,
    access,
    corsOrigins: config.corsOrigins,
    streams,
    metrics,
    scheduler,
    ...(pg ? { leader: () => pg.lease.isLeader } : {}),
    defaultRunner: config.runner,
  });
  ready(app);
  opened(() => scheduler.stop(0));
  await scheduler.start();
  // archival and pruning of old segments, beside the writes (file store)
  const retention = fileStore
    ? fileRetention({ store: fileStore, service, clock, timers: systemTimers, log, retentionDays: config.retentionDays, pruneDays: config.pruneDays })
    : undefined;
  if (retention) opened(() => retention.stop());
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${host}:${port}`;
  // Generated only once the server is listening, so a start that fails never swallows
  // tokens it could not show.
  const generatedTokens = (await tokens?.ensureBuiltins()) ?? {};
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      // Stop firing first and let runs in flight end, so their last events still reach the
      // streams before those close.
      await scheduler.stop(RUN_GRACE_MS);
      const http = server as unknown as { closeIdleConnections(): void; closeAllConnections(): void };
      // End event streams cleanly first: browsers see the stream finish and reconnect to
      // the next server, resuming from their last id.
      streams.closeAll();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        http.closeIdleConnections();
        setTimeout(() => http.closeAllConnections(), CLOSE_GRACE_MS).unref();
      });
      metrics.close();
      alerts?.stop();
      await webhook?.stop();
      await retention?.stop();
      await store.close();
    })());
  return { url, store, server, generatedTokens, stop };
};
