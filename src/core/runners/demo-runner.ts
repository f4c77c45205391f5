import { delay, type Timers } from '../timers.ts';
import { RunError, type Runner, type RunRequest, type RunResult } from './runner.ts';

export interface DemoRunnerOptions {
  timers: Timers;
  seed?: string;
  // 1 = the realistic few seconds; tests shrink it
  durationScale?: number;
}

// A small, fast, seedable generator (mulberry32) fed by a string hash (FNV-1a).
const random = (key: string): (() => number) => {
  let h = 2166136261;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 16777619);
  let a = h >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

// Cumulative chances per attempt; about 6 % of attempts fail, every class now and then.
const FAILURES = [
  { below: 0.02, fail: () => new RunError('remote', 'AccuLynx API answered 502 Bad Gateway (simulated)') },
  { below: 0.032, fail: () => new RunError('network', 'connection reset by the AccuLynx API (simulated)') },
  { below: 0.044, fail: (r: () => number) => new RunError('rate-limit', 'AccuLynx API rate limit reached (simulated)', { retryAfterMs: 30_000 + Math.floor(r() * 60) * 1000 }) },
  { below: 0.052, fail: () => new RunError('timeout', 'AccuLynx API did not answer within 60 s (simulated)') },
  { below: 0.057, fail: () => new RunError('internal', 'unexpected record shape in the AccuLynx export (simulated)') },
  { below: 0.06, fail: () => new RunError('auth', 'AccuLynx refused the API key (simulated)') },
] as const;

// Simulated imports, so a fresh install shows a living system. Every outcome is a function of
// (seed, tenant, scheduledFor, attempt), so a replayed demo behaves the same.
export const createDemoRunner = (options: DemoRunnerOptions): Runner => {
  const seed = options.seed ?? 'command-center-demo';
  const scale = options.durationScale ?? 1;
  return {
    name: 'demo',
    run: async (req: RunRequest): Promise<RunResult> => {
      const r = random(`${seed}|${req.tenant}|${req.scheduledFor}|${req.attempt}`);
      // mostly 1.5–4 s, now and then up to ~9 s, like a real paged export
      const durationMs = Math.round((1500 + r() * 2500 + (r() < 0.1 ? r() * 5000 : 0)) * scale);
      const roll = r();
      await delay(options.timers, durationMs, req.signal);
      const failure = FAILURES.find((f) => roll < f.below);
      if (failure) throw failure.fail(r);
      const imported = Math.floor(r() * 240);
      const previous = typeof req.watermark === 'object' && req.watermark !== null ? (req.watermark as { records?: unknown }).records : 0;
      const records = (typeof previous === 'number' ? previous : 0) + imported;
      return { imported, watermark: { through: req.scheduledFor, records } };
    },
  };
};
