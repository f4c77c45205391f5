import fs from 'node:fs';
import { promisify } from 'node:util';

// The few file operations the journal's write path makes, behind a port so tests can make
// them fail for real (ENOSPC, EIO) without filling a disk.
export interface JournalFs {
  open(path: string, flags: string): Promise<number>;
  write(fd: number, buffer: Buffer, offset: number, length: number, position: number): Promise<number>;
  fdatasync(fd: number): Promise<void>;
  fsync(fd: number): Promise<void>;
  ftruncate(fd: number, length: number): Promise<void>;
  close(fd: number): Promise<void>;
}

const write = (fd: number, buffer: Buffer, offset: number, length: number, position: number) =>
  new Promise<number>((resolve, reject) =>
    fs.write(fd, buffer, offset, length, position, (error, written) => (error ? reject(error) : resolve(written))),
  );

export const nodeJournalFs: JournalFs = {
  open: promisify(fs.open) as (path: string, flags: string) => Promise<number>,
  write: async (fd, buffer, offset, length, position) => write(fd, buffer, offset, length, position),
  fdatasync: promisify(fs.fdatasync),
  fsync: promisify(fs.fsync),
  ftruncate: promisify(fs.ftruncate) as (fd: number, length: number) => Promise<void>,
  close: promisify(fs.close),
};

// Makes a rename or a new file durable: the directory entry itself must reach the disk.
export const fsyncDirectory = async (journalFs: JournalFs, dir: string): Promise<void> => {
  const fd = await journalFs.open(dir, 'r');
  try {
    await journalFs.fsync(fd);
  } finally {
    await journalFs.close(fd);
  }
};
