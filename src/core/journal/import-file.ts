import fs from 'node:fs/promises';
import path from 'node:path';
import { archiveDirOf, listArchiveNames, listRawSegments, readPruneMark, segmentName } from './chain.ts';
import { fsyncDirectory, nodeJournalFs } from './journal-fs.ts';
import type { ChainedLine } from './journal-lines.ts';
import { JournalError } from './journal.ts';
import { encodeLine } from './line-codec.ts';

const SEGMENT_BYTES = 64 * 1024 * 1024;

// Writes chained lines as the segments of a new file journal. Only into an empty journal:
// an import is a whole history, not a merge. It is written beside the journal and moved
// into place at the end, so a failed import leaves the journal as empty as it was.
// The caller holds the data directory's lock.
export const importIntoFileJournal = async (
  dir: string,
  lines: AsyncIterable<ChainedLine>,
  onProgress: (written: number) => void = () => {},
): Promise<number> => {
  const notEmpty = () => new JournalError(`the journal in ${dir} is not empty; import only into an empty data directory`, 'locked');
  for (const name of await listRawSegments(dir)) {
    if ((await fs.stat(path.join(dir, name))).size > 0) throw notEmpty();
  }
  // archived (or pruned) history counts too: an import beside it would be replaced by it, or replace it
  const archiveDir = archiveDirOf(dir);
  if ((await listArchiveNames(archiveDir)).length > 0 || (await readPruneMark(archiveDir))) throw notEmpty();
  const staging = `${dir}.importing`;
  await fs.rm(staging, { recursive: true, force: true });
  await fs.mkdir(staging, { recursive: true });
  try {
    const written = await writeSegments(staging, lines, onProgress);
    await fs.rm(dir, { recursive: true, force: true });
    await fs.rename(staging, dir);
    await fsyncDirectory(nodeJournalFs, path.dirname(dir));
    return written;
  } catch (error) {
    await fs.rm(staging, { recursive: true, force: true });
    throw error;
  }
};

const writeSegments = async (dir: string, lines: AsyncIterable<ChainedLine>, onProgress: (written: number) => void): Promise<number> => {
  let segment = 1;
  let handle = await fs.open(path.join(dir, segmentName(segment)), 'w');
  let size = 0;
  let written = 0;
  let buffer = '';
  const flush = async () => {
    if (!buffer) return;
    await handle.write(buffer);
    buffer = '';
  };
  try {
    for await (const l of lines) {
      const text = encodeLine(l.hash, l.eventJson);
      const bytes = Buffer.byteLength(text);
      if (size > 0 && size + bytes > SEGMENT_BYTES) {
        await flush();
        await handle.sync();
        await handle.close();
        segment += 1;
        handle = await fs.open(path.join(dir, segmentName(segment)), 'wx');
        size = 0;
      }
      buffer += text;
      size += bytes;
      written += 1;
      if (buffer.length > 1 << 20) {
        await flush();
        onProgress(written);
      }
    }
    await flush();
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fsyncDirectory(nodeJournalFs, dir);
  onProgress(written);
  return written;
};
