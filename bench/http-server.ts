// One side of `npm run bench:http`: serves GET /api/schedules over 1,000 schedules, either
// through Command Center ("app": memory store, createApp with access on, a bearer token) or
// a raw node:http floor that does the same application work (build the views, serialise)
// with no framework, no auth and no middleware.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { serve } from '@hono/node-server';
import { loadSessionKey, SessionSigner } from '../src/core/access/session-signer.ts';
import { TokenStore } from '../src/core/access/token-store.ts';
import { systemClock } from '../src/core/clock.ts';
import { asOf, scheduleView } from '../src/core/domain/projection.ts';
import { silentLogger } from '../src/core/logger.ts';
import { CommandService } from '../src/core/service.ts';
import { openMemoryStore } from '../src/core/store/memory-store.ts';
import { createAccess } from '../src/http/access.ts';
import { createApp } from '../src/http/app.ts';

export const TOKEN = 'bench-operator-token-0123456789';
const kind = process.argv[2] as 'app' | 'floor';
const SCHEDULES = Number(process.argv[3] ?? 1000);

const store = openMemoryStore();
const service = new CommandService({ store, clock: systemClock });
for (let i = 0; i < SCHEDULES; i++) {
  await service.execute({ type: 'CreateSchedule', tenant: `tenant-${String(i).padStart(4, '0')}`, spec: { every: 60 + (i % 600) }, runner: 'demo' }, { source: 'cli', actor: 'bench' });
}

let server: http.Server;
if (kind === 'floor') {
  server = http.createServer((req, res) => {
    const now = Date.now();
    const schedules = [...store.projector.schedules.values()].sort((a, b) => (a.tenant < b.tenant ? -1 : 1)).map((s) => scheduleView(s, now));
    const body = JSON.stringify({ asOf: asOf(store.projector.seq, store.projector.lastEvent), schedules });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
} else {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-bench-http-'));
  const access = createAccess({ tokens: new TokenStore(dataDir, { operator: TOKEN }), signer: new SessionSigner(loadSessionKey(dataDir)), clock: systemClock });
  let app: ReturnType<typeof createApp> | undefined;
  server = await new Promise<http.Server>((resolve) => {
    const s = serve({ fetch: (r, env) => app!.fetch(r, env), hostname: '127.0.0.1', port: 0 }, () => resolve(s as http.Server));
  });
  app = createApp({ store, service, clock: systemClock, log: silentLogger, allowedHosts: [`127.0.0.1:${(server.address() as AddressInfo).port}`], access });
}
process.send!({ type: 'listening', port: (server.address() as AddressInfo).port });
process.on('message', () => process.exit(0));
