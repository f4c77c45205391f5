import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FileJournal } from '../src/core/journal/file-journal.ts';
import { draft, range } from './core/journal/drafts.ts';
import { dropSchema, holdsDatabase, pgReachable, randomSchema, TEST_DATABASE_URL } from './core/pg/pg-test-db.ts';

const reachable = await pgReachable();
if (reachable) holdsDatabase({ beforeAll, afterAll });

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// The real CLI, as an operator runs it (no terminal attached: no progress line).
const cli = async (args: string[], env: Record<string, string>, input?: string) => {
  const child = execFile(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/cli.ts'), ...args], {
    cwd: ROOT,
    env: { ...process.env, CC_LOG_LEVEL: 'warn', ...env },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (input !== undefined) child.stdin!.end(input);
  else child.stdin!.end();
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: string) => (stdout += c));
  child.stderr!.on('data', (c: string) => (stderr += c));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { code, stdout, stderr };
};

describe.skipIf(!reachable)('command-center migrate / import / export with PostgreSQL', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  const dataDir = async (events: number) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-cli-'));
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    const { journal } = await FileJournal.open({ dir: path.join(dir, 'journal') });
    await journal.append(range(1, events).map((i) => draft(`t${i}`)));
    await journal.close();
    return dir;
  };

  it('migrates a file journal into PostgreSQL once (running it again copies nothing) and exports it unchanged', { timeout: 60_000 }, async () => {
    const dir = await dataDir(40);
    const schema = randomSchema();
    cleanups.push(() => dropSchema(schema));
    const env = { CC_DATA_DIR: dir, DATABASE_URL: TEST_DATABASE_URL, CC_PG_SCHEMA: schema };
    const first = await cli(['migrate', '--to', 'postgres'], env);
    expect(first).toMatchObject({ code: 0, stdout: '' });
    expect(first.stderr).toContain(`copied 40 events into ${schema} (0 were already there); the database holds seq 1..40, hash chain verified`);
    const again = await cli(['migrate', '--to', 'postgres'], env);
    expect(again.stderr).toContain('copied 0 events');
    const fromFile = await cli(['export'], { CC_DATA_DIR: dir });
    const fromPg = await cli(['export'], { ...env, CC_STORE: 'postgres' });
    expect(fromPg.code).toBe(0);
    expect(fromPg.stdout).toBe(fromFile.stdout);
    expect(fromPg.stdout.trimEnd().split('\n')).toHaveLength(40);
    const verified = await cli(['verify'], { ...env, CC_STORE: 'postgres' });
    expect(verified.stdout).toMatch(/^OK: 40 events in cc_test_\w+, seq 1\.\.40, hash chain intact/);
  });

  it('imports an export into an empty PostgreSQL schema, and refuses migrate --to anything else', { timeout: 60_000 }, async () => {
    const dir = await dataDir(5);
    const exported = (await cli(['export'], { CC_DATA_DIR: dir })).stdout;
    const schema = randomSchema();
    cleanups.push(() => dropSchema(schema));
    const env = { DATABASE_URL: TEST_DATABASE_URL, CC_PG_SCHEMA: schema, CC_STORE: 'postgres' };
    const imported = await cli(['import'], env, exported);
    expect(imported.code).toBe(0);
    expect(imported.stderr).toContain('imported 5 events');
    expect((await cli(['export'], env)).stdout).toBe(exported);
    const wrong = await cli(['migrate', '--to', 'mysql'], { CC_DATA_DIR: dir });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('migrate needs --to postgres');
  });
});

if (!reachable) {
  describe('command-center migrate / import / export with PostgreSQL', () => {
    it.skip('needs PostgreSQL (see the warning above)', () => {});
  });
}

describe('command-center verify on a pruned journal', () => {
  it('proves the kept chain and says exactly what was cut, as the README quotes it', async () => {
    const golden = path.join(ROOT, 'test/fixtures/golden/file-v1-p1-pruned');
    const expected = JSON.parse(fs.readFileSync(path.join(golden, 'expected.json'), 'utf8')) as { firstSeq: number; lastSeq: number; pruned: { toSeq: number } };
    // verify only reads, so the fixture itself is safe to check
    const { code, stdout } = await cli(['verify', '--data-dir', path.join(golden, 'data')], {});
    expect(code).toBe(0);
    expect(stdout).toContain(`seq ${expected.firstSeq}..${expected.lastSeq}, hash chain intact`);
    expect(stdout).toMatch(new RegExp(`events 1\\.\\.${expected.pruned.toSeq} were pruned, as the journal\\.pruned event at seq \\d+ records \\(boundary hash [0-9a-f]{16}…\\)`));
  });
});
