import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.ts';
import { createLogger } from '../../src/core/logger.ts';
import { CommandService } from '../../src/core/service.ts';
import { type FileStore, openFileStore } from '../../src/core/store/file-store.ts';
import { createApp } from '../../src/http/app.ts';

const T0 = Date.parse('2026-11-25T08:00:00.000Z');
const stores: FileStore[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

// An app over a real file store, access off (loopback), with the free-disk threshold given.
const appWith = async (minFreeMb: number) => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-disk-'));
  dirs.push(dataDir);
  const store = await openFileStore({ dataDir, log: createLogger('error', () => {}), minFreeMb });
  stores.push(store);
  const clock = new ManualClock(T0);
  const service = new CommandService({ store, clock });
  await service.execute({ type: 'CreateSchedule', tenant: 'acme', spec: { every: 60 }, runner: 'demo' }, { source: 'api', actor: 'test' });
  const app = createApp({ store, service, clock, log: createLogger('error', () => {}), allowedHosts: ['localhost'] });
  const get = async (url: string) => app.request(`http://localhost${url}`, { headers: { host: 'localhost' } });
  return { get, dataDir };
};

describe('disk awareness', () => {
  it('reports journal, archive and free disk in health, summary and metrics', async () => {
    const { get } = await appWith(0);
    const health = await get('/api/health');
    expect(health.status).toBe(200);
    const body = (await health.json()) as { status: string; storage: Record<string, number | boolean> };
    expect(body.status).toBe('ok');
    expect(body.storage.journalBytes).toBeGreaterThan(0);
    expect(body.storage).toMatchObject({ archiveBytes: 0, low: false });
    expect(body.storage.freeBytes).toBeGreaterThan(0);
    expect(((await (await get('/api/summary')).json()) as { storage: unknown }).storage).toMatchObject({ low: false });
    const metrics = await (await get('/metrics')).text();
    expect(metrics).toMatch(/^cc_journal_bytes [1-9]\d*$/m);
    expect(metrics).toMatch(/^cc_disk_free_bytes [1-9]\d*$/m);
    expect(metrics).toMatch(/^cc_disk_low 0$/m);
  });

  it('turns health degraded (still 200) and says so in the summary and metrics when free disk is below the threshold', async () => {
    // more free space than any test machine has
    const { get } = await appWith(1024 * 1024 * 1024);
    const health = await get('/api/health');
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'degraded', storage: { low: true } });
    expect(await (await get('/api/summary')).json()).toMatchObject({ storage: { low: true } });
    expect(await (await get('/metrics')).text()).toMatch(/^cc_disk_low 1$/m);
  });
});
