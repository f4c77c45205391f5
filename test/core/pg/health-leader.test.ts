import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../tmp.ts';
import { hashToken } from '../../../src/core/access/token-store.ts';
import { loadConfig } from '../../../src/core/config.ts';
import { silentLogger } from '../../../src/core/logger.ts';
import type { PgStore } from '../../../src/core/pg/pg-store.ts';
import { type Running, startServer } from '../../../src/serve.ts';
import { makeApp } from '../../http/harness.ts';
import { dropSchema, holdsDatabase, pgReachable, randomSchema, TEST_DATABASE_URL } from './pg-test-db.ts';

const reachable = await pgReachable();
if (reachable) holdsDatabase({ beforeAll, afterAll });

const health = async (instance: Running) => (await fetch(`${instance.url}/api/health`)).json() as Promise<Record<string, unknown>>;
const leading = (instance: Running) => {
  const { lease } = instance.store as PgStore;
  return lease.isLeader ? Promise.resolve() : new Promise<void>((resolve) => lease.onChange((isLeader) => isLeader && resolve()));
};

describe.skipIf(!reachable)('GET /api/health of instances on one PostgreSQL', () => {
  let schema: string;
  let running: Running[] = [];
  afterEach(async () => {
    await Promise.all(running.map((r) => r.stop()));
    running = [];
    await dropSchema(schema);
  });

  const start = async () => {
    const dataDir = tempDir('pg-health');
    const instance = await startServer(
      loadConfig({}, { host: '127.0.0.1', port: '0', store: 'postgres', databaseUrl: TEST_DATABASE_URL, pgSchema: schema, logLevel: 'error', dataDir }),
      silentLogger,
    );
    running.push(instance);
    return instance;
  };

  it('says which instance leads, follows a hand-over, and reveals no secret', { timeout: 60_000 }, async () => {
    schema = randomSchema();
    const a = await start();
    await leading(a);
    const b = await start();
    expect(await health(a)).toMatchObject({ status: 'ok', store: 'postgres', leader: true });
    const fromB = await health(b);
    expect(fromB).toMatchObject({ status: 'ok', store: 'postgres', leader: false });
    expect(Object.keys(fromB).sort()).toEqual(['leader', 'scheduler', 'seq', 'status', 'store']);
    const { rows } = await (b.store as PgStore).pool.query<{ value: string }>(`SELECT value FROM "${schema}".shared_secrets`);
    const text = JSON.stringify(fromB) + JSON.stringify(await health(a));
    expect(rows.length).toBeGreaterThan(0);
    for (const { value } of rows) expect(text).not.toContain(value);
    expect(text).not.toContain(hashToken(a.generatedTokens.operator!));
    expect(text).not.toContain((b.store as PgStore).instanceId);

    // a leader that stops cleanly gives the lease up; B takes it and says so
    await a.stop();
    running = [b];
    await leading(b);
    expect(await health(b)).toMatchObject({ leader: true });
  });
});

describe('GET /api/health of a single instance', () => {
  it('has no leader field: there is no one to lead', async () => {
    const body = (await (await makeApp().request('GET', '/api/health', { as: null })).json()) as Record<string, unknown>;
    expect(body).toMatchObject({ status: 'ok' });
    expect('leader' in body).toBe(false);
  });
});
