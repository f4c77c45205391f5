import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../tmp.ts';
import { tokenCommand } from '../../src/commands/token-command.ts';
import { loadConfig } from '../../src/core/config.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { startServer } from '../../src/serve.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CORRUPT = '{"format":1,"tokens":[{"name":"alice","role":"operator"';

const corruptDataDir = () => {
  const dataDir = tempDir('token-cmd');
  fs.writeFileSync(path.join(dataDir, 'tokens.json'), CORRUPT);
  return dataDir;
};

describe('an unreadable tokens.json', () => {
  it('stops the server from starting, naming the file and what is wrong, and leaves the data directory free', { timeout: 30_000 }, async () => {
    const dataDir = corruptDataDir();
    const config = loadConfig({}, { host: '127.0.0.1', port: '0', dataDir, logLevel: 'error' });
    await expect(startServer(config, silentLogger)).rejects.toMatchObject({
      name: 'TokenError',
      message: expect.stringContaining(`${path.join(dataDir, 'tokens.json')} is not a valid tokens file: it is not JSON`),
    });
    // moved away, the next start works: the failed one released its lock
    fs.renameSync(path.join(dataDir, 'tokens.json'), path.join(dataDir, 'tokens.json.broken'));
    const running = await startServer(config, silentLogger);
    expect(Object.keys(running.generatedTokens).sort()).toEqual(['operator', 'viewer']);
    await running.stop();
  });

  it('makes `serve` exit 1 with that message and no stack trace', { timeout: 60_000 }, () => {
    const dataDir = corruptDataDir();
    const result = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/cli.ts'), 'serve'], {
      cwd: ROOT,
      env: { ...process.env, CC_HOST: '127.0.0.1', CC_PORT: '0', CC_DATA_DIR: dataDir, CC_STORE: 'file', CC_LOG_LEVEL: 'error' },
      encoding: 'utf8',
      timeout: 50_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`${path.join(dataDir, 'tokens.json')} is not a valid tokens file: it is not JSON`);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it.each(['list', 'create', 'revoke'])('makes `token %s` answer with that message and exit 1', async (action) => {
    const dataDir = corruptDataDir();
    const lines: string[] = [];
    const config = loadConfig({}, { dataDir, logLevel: 'error' });
    const code = await tokenCommand(action, { name: 'bob', role: 'viewer' }, config, silentLogger, (line) => lines.push(line));
    expect(code).toBe(1);
    expect(lines.join('\n')).toContain(`${path.join(dataDir, 'tokens.json')} is not a valid tokens file`);
    expect(fs.readFileSync(path.join(dataDir, 'tokens.json'), 'utf8')).toBe(CORRUPT);
  });
});
