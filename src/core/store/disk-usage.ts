import fs from 'node:fs/promises';
import path from 'node:path';
import { dataDirs } from './data-dir.ts';

export interface StorageUsage {
  journalBytes: number;
  archiveBytes: number;
  checkpointBytes: number;
  // free to this process on the data directory's filesystem
  freeBytes: number;
  totalBytes: number;
  // free disk below the threshold (CC_MIN_FREE_MB): appends may soon fail
  low: boolean;
  minFreeBytes: number;
}

export const DEFAULT_MIN_FREE_MB = 512;
// Probes and scrapes arrive every few seconds; a directory walk each time is waste.
const FRESH_MS = 5_000;

const dirBytes = async (dir: string): Promise<number> => {
  let total = 0;
  for (const name of await fs.readdir(dir).catch(() => [] as string[])) {
    total += (await fs.stat(path.join(dir, name)).catch(() => ({ size: 0 }))).size;
  }
  return total;
};

// How much the journal takes and how much room is left, read at most every few seconds.
export const diskUsage = (dataDir: string, minFreeMb = DEFAULT_MIN_FREE_MB, now: () => number = Date.now) => {
  let cached: { at: number; usage: Promise<StorageUsage> } | undefined;
  const dirs = dataDirs(dataDir);
  const measure = async (): Promise<StorageUsage> => {
    const [journalBytes, archiveBytes, checkpointBytes, stats] = await Promise.all([
      dirBytes(dirs.journal),
      dirBytes(dirs.archive),
      dirBytes(dirs.checkpoints),
      fs.statfs(dataDir),
    ]);
    const freeBytes = stats.bavail * stats.bsize;
    const minFreeBytes = minFreeMb * 1024 * 1024;
    return { journalBytes, archiveBytes, checkpointBytes, freeBytes, totalBytes: stats.blocks * stats.bsize, low: freeBytes < minFreeBytes, minFreeBytes };
  };
  return (): Promise<StorageUsage> => {
    if (!cached || now() - cached.at >= FRESH_MS) {
      const usage = measure();
      cached = { at: now(), usage };
      // a failed measure is not kept
      usage.catch(() => (cached = undefined));
    }
    return cached.usage;
  };
};
