import fs from 'node:fs';
import path from 'node:path';
import { JournalError } from '../journal/journal.ts';

// A process that exited but was not reaped still answers kill(pid, 0); on these machines
// PID 1 does not reap, so a zombie holder must count as dead.
export const isAlive = (pid: number): boolean => {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return true;
  }
};

export interface DirectoryLock {
  release(): void;
}

const readHolder = (file: string): number => {
  try {
    return Number.parseInt(fs.readFileSync(file, 'utf8').trim(), 10);
  } catch {
    return Number.NaN;
  }
};

// Exclusive ownership of a data directory: `.lock` holds the owner's pid.
export const lockDirectory = (dir: string, log: (message: string, fields?: Record<string, unknown>) => void = () => {}): DirectoryLock => {
  const file = path.join(dir, '.lock');
  // The pid is written to a private file first and linked into place, so `.lock` never
  // exists without its pid: an empty one can only be debris, never a starter mid-write.
  const mine = `${file}.${process.pid}.tmp`;
  const fd = fs.openSync(mine, 'w', 0o644);
  try {
    fs.writeSync(fd, `${process.pid}\n`);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  try {
    return acquire(dir, file, mine, log);
  } finally {
    fs.rmSync(mine, { force: true });
  }
};

const acquire = (dir: string, file: string, mine: string, log: (message: string, fields?: Record<string, unknown>) => void): DirectoryLock => {
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      fs.linkSync(mine, file);
      return {
        release: () => {
          if (readHolder(file) === process.pid) fs.rmSync(file, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = readHolder(file);
    if (holder === process.pid) throw new JournalError(`data directory ${dir} is already open in this process`, 'locked');
    if (isAlive(holder)) {
      throw new JournalError(
        `data directory ${path.resolve(dir)} is in use by another Command Center (pid ${holder}); stop it first or choose another --data-dir`,
        'locked',
      );
    }
    // Stale: take it over. Renaming first means two starters cannot both remove a fresh lock.
    const stale = `${file}.stale-${process.pid}`;
    try {
      fs.renameSync(file, stale);
      // NaN for an empty or garbled file: Object.is lets the same debris compare equal
      if (!Object.is(readHolder(stale), holder)) {
        fs.renameSync(stale, file);
        continue;
      }
      fs.rmSync(stale, { force: true });
      log('took over a stale lock', { pid: Number.isNaN(holder) ? null : holder });
    } catch {
      // someone else took it over meanwhile; try again
    }
  }
  throw new JournalError(`could not lock data directory ${dir}`, 'locked');
};
