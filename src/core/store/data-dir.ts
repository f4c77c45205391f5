import path from 'node:path';

// The folders of a data directory (README: Data directory), named in one place.
export interface DataDirs {
  data: string;
  // raw segments, the newest one live
  journal: string;
  // compressed old segments and the prune mark
  archive: string;
  // the projections every CC_CHECKPOINT_EVERY events
  checkpoints: string;
}

export const dataDirs = (dataDir: string): DataDirs => ({
  data: dataDir,
  journal: path.join(dataDir, 'journal'),
  archive: path.join(dataDir, 'archive'),
  checkpoints: path.join(dataDir, 'checkpoints'),
});
