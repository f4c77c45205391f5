import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export interface Fixture {
  child: ChildProcess;
  // complete stdout lines so far (a line cut by a kill is not included)
  lines(): string[];
  stderr(): string;
  // resolves once stdout has at least n complete lines; rejects if the child exits first
  untilLines(n: number): Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

// Runs a script under test/fixtures/ in its own node process, the way the server runs.
export const spawnFixture = (script: string, args: string[]): Fixture => {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test/fixtures', script), ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const waiters: { n: number; resolve: () => void; reject: (e: Error) => void }[] = [];
  const complete = () => {
    const all = out.split('\n');
    all.pop();
    return all;
  };
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => {
      for (const w of waiters.splice(0)) w.reject(new Error(`${script} exited (${code ?? signal}) before printing ${w.n} lines: ${err}`));
      resolve({ code, signal });
    }),
  );
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
    const count = complete().length;
    for (const w of waiters.splice(0)) {
      if (count >= w.n) w.resolve();
      else waiters.push(w);
    }
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  return {
    child,
    lines: complete,
    stderr: () => err,
    untilLines: (n) =>
      new Promise((resolve, reject) => {
        if (complete().length >= n) resolve();
        else if (child.exitCode !== null || child.signalCode !== null) reject(new Error(`${script} already exited: ${err}`));
        else waiters.push({ n, resolve, reject });
      }),
    exited,
  };
};

// A small deterministic PRNG, so a failing round can be replayed from its seed.
export const prng = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
