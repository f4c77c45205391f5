import fs from 'node:fs';
import path from 'node:path';
import { isAlive } from '../core/store/lock.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// A pid in a stale lock may since belong to another program; where /proc can tell, only
// a process that runs Command Center is signalled.
const looksLikeCommandCenter = (pid: number): boolean => {
  try {
    const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return /command-center|cli\.[jt]s/.test(cmdline);
  } catch {
    return true;
  }
};

// Stops the server that owns a data directory, found by the pid in its .lock — never by
// process name, so other instances (other data directories) are left alone.
export const stopCommand = async (dataDir: string, out: (line: string) => void, waitMs = 15_000): Promise<number> => {
  let pid: number;
  try {
    pid = Number.parseInt(fs.readFileSync(path.join(dataDir, '.lock'), 'utf8').trim(), 10);
  } catch {
    out(`no server holds ${dataDir}`);
    return 0;
  }
  if (!isAlive(pid) || pid === process.pid) {
    out(`no server holds ${dataDir} (the lock names pid ${Number.isNaN(pid) ? 'none' : pid}, which is not running)`);
    return 0;
  }
  if (!looksLikeCommandCenter(pid)) {
    out(`pid ${pid} in ${path.join(dataDir, '.lock')} is not a Command Center; not stopping it`);
    return 1;
  }
  out(`stopping the server of ${dataDir} (pid ${pid})…`);
  process.kill(pid, 'SIGTERM');
  for (let waited = 0; waited < waitMs; waited += 100) {
    if (!isAlive(pid)) {
      out('stopped');
      return 0;
    }
    await sleep(100);
  }
  out(`pid ${pid} did not stop within ${waitMs / 1000} s; killing it`);
  process.kill(pid, 'SIGKILL');
  return 0;
};
