import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve as serveHttp, type ServerType } from '@hono/node-server';
import { systemClock } from './core/clock.ts';
import { allowedHostsFor, type Config } from './core/config.ts';
import type { Logger } from './core/logger.ts';
import { CommandService } from './core/service.ts';
import { openFileStore } from './core/store/file-store.ts';
import type { Store } from './core/store/store.ts';
import { createApp } from './http/app.ts';

export const WEB_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist/web');

export interface Running {
  url: string;
  store: Store;
  server: ServerType;
  stop(): Promise<void>;
}

// The one place real defaults are wired together.
export const startServer = async (config: Config, log: Logger): Promise<Running> => {
  const store = await openFileStore({ dataDir: config.dataDir, log });
  const clock = systemClock;
  const service = new CommandService({ store, clock });
  const app = createApp({
    store,
    service,
    clock,
    log,
    webRoot: WEB_ROOT,
    allowedHosts: allowedHostsFor(config),
  });
  const server = await new Promise<ServerType>((resolve, reject) => {
    const s = serveHttp({ fetch: app.fetch, hostname: config.host, port: config.port }, () => resolve(s));
    s.once('error', reject);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${host}:${port}`;
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // SSE streams never end on their own; drop them so close() can finish.
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      });
      await store.close();
    })());
  return { url, store, server, stop };
};
