import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../tmp.ts';
import type { Unsequenced } from '../../src/core/domain/events.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { openFileStore } from '../../src/core/store/file-store.ts';
import { createStartingApp } from '../../src/http/starting-app.ts';

const root = path.resolve(import.meta.dirname, '../..');

describe('the port while the server starts', () => {
  const app = createStartingApp({ allowedHosts: ['127.0.0.1:9'], progress: { replayed: 120_000, startedAt: 0 }, now: () => 4_000 });

  it('answers health with 503 "starting" and the replay progress', async () => {
    const res = await app.request('/api/health', { headers: { host: '127.0.0.1:9' } });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('2');
    expect(await res.json()).toEqual({ status: 'starting', replayed: 120_000, elapsedMs: 4_000 });
  });

  it('answers everything else with a 503 problem and Retry-After', async () => {
    const res = await app.request('/api/schedules', { method: 'POST', headers: { host: '127.0.0.1:9' } });
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.headers.get('retry-after')).toBe('2');
    expect(((await res.json()) as { detail: string }).detail).toContain('120,000 journal events replayed');
  });

  it('gives a browser opening the UI a page that reloads itself', async () => {
    const res = await app.request('/panel', { headers: { host: '127.0.0.1:9', accept: 'text/html,application/xhtml+xml' } });
    expect(res.status).toBe(503);
    const html = await res.text();
    expect(html).toContain('<meta http-equiv="refresh" content="2">');
    expect(html).toContain('120,000 journal events replayed');
  });

  it('still refuses a foreign Host', async () => {
    const res = await app.request('/api/health', { headers: { host: 'evil.example' } });
    expect(res.status).toBe(403);
  });

  it('is what a real server answers while it replays a journal without a snapshot, then it serves', async () => {
    const dataDir = tempDir('starting');
    const store = await openFileStore({ dataDir, log: silentLogger });
    const ts = new Date().toISOString();
    const origin = { source: 'scheduler', actor: 'scheduler' } as const;
    await store.journal.append([{ ...origin, id: 'c', ts, type: 'schedule.created', tenant: 'acme-roofing', data: { spec: { every: 3600 }, runner: 'demo' } } as Unsequenced]);
    for (let batch = 0; batch < 60; batch++) {
      const drafts: Unsequenced[] = [];
      for (let i = 0; i < 5_000; i++) {
        drafts.push({ ...origin, id: `s${batch}-${i}`, ts, type: 'run.skipped', tenant: 'acme-roofing', data: { scheduledFor: ts, reason: 'overlap', count: 1 } } as Unsequenced);
      }
      await store.journal.append(drafts);
    }
    await store.close();
    for (const name of fs.readdirSync(dataDir)) if (name.startsWith('snapshot') || name === 'checkpoints') fs.rmSync(path.join(dataDir, name), { recursive: true });

    const port = await new Promise<number>((resolve) => {
      const probe = net.createServer().listen(0, '127.0.0.1', () => {
        const { port: p } = probe.address() as net.AddressInfo;
        probe.close(() => resolve(p));
      });
    });
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'serve', '--data-dir', dataDir, '--port', String(port)], {
      cwd: root,
      env: { ...process.env, CC_AUTH: 'off', CC_LOG_LEVEL: 'warn' },
      stdio: 'ignore',
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      const seen: string[] = [];
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline) {
        const res = await fetch(`http://127.0.0.1:${port}/api/health`).catch(() => undefined);
        if (res) {
          const body = (await res.json()) as { status: string; seq?: number };
          if (seen.at(-1) !== `${res.status} ${body.status}`) seen.push(`${res.status} ${body.status}`);
          if (res.status === 200) {
            expect(body.seq).toBe(300_001);
            break;
          }
        }
        await new Promise((r) => setTimeout(r, 10));
      }
      expect(seen).toEqual(['503 starting', '200 ok']);
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  });
});
