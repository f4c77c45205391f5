import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../tmp.ts';
import { tokenCommand } from '../../../src/commands/token-command.ts';
import { loadConfig } from '../../../src/core/config.ts';
import { silentLogger } from '../../../src/core/logger.ts';
import { type Running, startServer } from '../../../src/serve.ts';
import { dropSchema, holdsDatabase, pgReachable, randomSchema, TEST_DATABASE_URL } from './pg-test-db.ts';

const reachable = await pgReachable();
if (reachable) holdsDatabase({ beforeAll, afterAll });

describe.skipIf(!reachable)('tokens shared by the instances of one PostgreSQL', () => {
  let schema: string;
  let running: Running[] = [];
  afterEach(async () => {
    await Promise.all(running.map((r) => r.stop()));
    running = [];
    await dropSchema(schema);
  });

  const configFor = () =>
    loadConfig({}, { host: '127.0.0.1', port: '0', store: 'postgres', databaseUrl: TEST_DATABASE_URL, pgSchema: schema, logLevel: 'error', dataDir: tempDir('pg-tokens') });
  const start = async () => {
    const instance = await startServer(configFor(), silentLogger);
    running.push(instance);
    return instance;
  };
  const cli = async (action: string, values: { name?: string; role?: string }) => {
    const lines: string[] = [];
    const code = await tokenCommand(action, values, configFor(), silentLogger, (line) => lines.push(line));
    return { code, text: lines.join('\n') };
  };
  const get = (instance: Running, auth: { bearer?: string; cookie?: string }) =>
    fetch(`${instance.url}/api/summary`, { headers: auth.bearer ? { authorization: `Bearer ${auth.bearer}` } : { cookie: auth.cookie ?? '' } });

  it('prints the built-in tokens once for all instances, and each instance accepts them', { timeout: 60_000 }, async () => {
    schema = randomSchema();
    const a = await start();
    const b = await start();
    expect(Object.keys(a.generatedTokens).sort()).toEqual(['operator', 'viewer']);
    expect(b.generatedTokens).toEqual({});
    expect((await get(b, { bearer: a.generatedTokens.viewer! })).status).toBe(200);
    expect((await cli('list', {})).text).toMatch(/^operator .*built-in/m);
  });

  it('accepts a token made by the CLI on every instance, and ends its sessions on every instance when it is revoked', { timeout: 60_000 }, async () => {
    schema = randomSchema();
    const a = await start();
    const b = await start();
    // B has read the token list already; a token it has never seen still works at once
    expect((await get(b, { bearer: 'cc_not-a-token' })).status).toBe(401);
    const created = await cli('create', { name: 'alice', role: 'operator' });
    expect(created.code).toBe(0);
    const token = /^ {2}(cc_\S+)$/m.exec(created.text)![1]!;
    expect((await get(b, { bearer: token })).status).toBe(200);
    const login = await fetch(`${a.url}/login?token=${token}`, { redirect: 'manual' });
    expect(login.status).toBe(303);
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    expect((await get(b, { cookie })).status).toBe(200);

    const revoked = await cli('revoke', { name: 'alice' });
    expect(revoked.text).toMatch(/no longer work on every instance \(within 2 s\)/);
    // each instance trusts the list it read for at most 2 s (TOKEN_CACHE_MS); poll past that
    const refused = async (instance: Running) => {
      for (let i = 0; i < 100; i++) {
        if ((await get(instance, { cookie })).status === 401) return true;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      return false;
    };
    expect(await refused(b)).toBe(true);
    expect(await refused(a)).toBe(true);
    expect((await get(b, { bearer: token })).status).toBe(401);
    expect((await cli('list', {})).text).not.toContain('alice');
  });
});
