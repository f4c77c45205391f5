import { execFileSync, spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from './tmp.ts';
import { ensureBuild } from './build.ts';

const root = path.resolve(import.meta.dirname, '..');

// `npm start` runs the plain-JavaScript bundle, not the sources: this is that path, end to end.
describe('the server bundle (dist/server/cli.js, what npm start runs)', () => {
  it('serves the API and the UI, and the command-center stop command stops it', async () => {
    ensureBuild();
    const dataDir = tempDir('bundle');
    const child = spawn(process.execPath, ['--enable-source-maps', 'dist/server/cli.js', 'serve', '--data-dir', dataDir, '--port', '0'], {
      cwd: root,
      env: { ...process.env, CC_AUTH: 'off', CC_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const url = await new Promise<string>((resolve, reject) => {
      let err = '';
      child.stderr!.setEncoding('utf8').on('data', (c: string) => {
        err += c;
        const m = /running at (http:\/\/\S+)/.exec(err);
        if (m) resolve(m[1]!);
      });
      child.once('exit', (code) => reject(new Error(`exited ${code}: ${err}`)));
    });
    try {
      const health = (await (await fetch(`${url}/api/health`)).json()) as { status: string; scheduler: { state: string } };
      expect(health.status).toBe('ok');
      expect(health.scheduler.state).toBe('running');
      const page = await fetch(`${url}/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<div id="app"');
      const stop = execFileSync(process.execPath, ['bin/command-center.js', 'stop', '--data-dir', dataDir], { cwd: root, encoding: 'utf8' });
      expect(stop).toContain('stopped');
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
