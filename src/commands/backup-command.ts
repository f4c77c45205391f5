import { backupDataDir, type BackupReport, restoreDataDir } from '../core/store/backup.ts';

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

const summary = (r: BackupReport) =>
  `${r.verify.events} events, seq ${r.verify.firstSeq}..${r.verify.lastSeq} (${r.verify.archived} of ${r.verify.segments} segments archived), ` +
  `${mb(r.bytes)}: ${r.linked} files hard-linked, ${r.copied} copied`;

// `backup <dir>`: a consistent, verified copy of the data directory, taken beside a running server.
export const backupCommand = async (dataDir: string, target: string | undefined, out: (line: string) => void): Promise<number> => {
  if (!target) {
    out('usage: command-center backup <dir>   (a new or empty directory outside the data directory)');
    return 2;
  }
  const started = performance.now();
  const report = await backupDataDir(dataDir, target);
  if (!report.verify.ok) {
    out(`FAILED: the copy in ${target} does not verify: ${report.verify.problem?.segment} line ${report.verify.problem?.line}: ${report.verify.problem?.message}`);
    return 1;
  }
  out(`backed up ${dataDir} to ${target}: ${summary(report)}; hash chain verified, ${((performance.now() - started) / 1000).toFixed(1)} s`);
  if (report.linked > 0) out('hard links share the disk with the data directory: copy the backup elsewhere to survive losing that disk');
  return 0;
};

// `restore <dir>`: a backup into an empty data directory (--data-dir), verified before and after.
export const restoreCommand = async (dataDir: string, backup: string | undefined, out: (line: string) => void): Promise<number> => {
  if (!backup) {
    out('usage: command-center restore <backup-dir> --data-dir <empty dir>');
    return 2;
  }
  const report = await restoreDataDir(backup, dataDir);
  out(`restored ${backup} into ${dataDir}: ${summary(report)}; hash chain verified. Start the server on it.`);
  return 0;
};
