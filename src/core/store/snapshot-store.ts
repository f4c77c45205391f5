import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { PROJECTION_VERSION, type State } from '../domain/projection.ts';
import type { Position } from '../journal/file-journal.ts';

export interface Snapshot {
  format: 1;
  // PROJECTION_VERSION of the state; absent in snapshots written before it existed (version 1)
  projectionVersion?: number;
  position: Position;
  state: State;
}

const isSnapshot = (value: unknown): value is Snapshot => {
  const v = value as Snapshot | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    v.format === 1 &&
    typeof v.position?.seq === 'number' &&
    typeof v.position.hash === 'string' &&
    typeof v.state?.seq === 'number' &&
    v.state.seq === v.position.seq &&
    typeof v.state.schedules === 'object'
  );
};

// snapshot.json, replaced atomically; the one before it stays as snapshot.json.bak.
export class SnapshotStore {
  readonly file: string;

  constructor(private readonly dir: string) {
    this.file = path.join(dir, 'snapshot.json');
  }

  // Readable snapshots, best first, each with the file it came from. A corrupt one is
  // reported and passed over.
  async candidates(log: (message: string, fields?: Record<string, unknown>) => void = () => {}): Promise<(Snapshot & { file: string })[]> {
    const out: (Snapshot & { file: string })[] = [];
    for (const file of [this.file, `${this.file}.bak`]) {
      let text: string;
      try {
        text = await fs.readFile(file, 'utf8');
      } catch {
        continue;
      }
      try {
        const parsed: unknown = JSON.parse(text);
        if (!isSnapshot(parsed)) log('snapshot is not valid; ignoring it', { file: path.basename(file) });
        else if ((parsed.projectionVersion ?? 1) !== PROJECTION_VERSION) {
          log('snapshot holds projections of another version; ignoring it, so start-up replays the journal', {
            file: path.basename(file),
            snapshotVersion: parsed.projectionVersion ?? 1,
            version: PROJECTION_VERSION,
          });
        } else out.push({ ...parsed, file: path.basename(file) });
      } catch {
        log('snapshot is corrupt; ignoring it', { file: path.basename(file) });
      }
    }
    return out;
  }

  // A crash in the middle of write() leaves its .tmp behind; only the directory's owner
  // (holding the lock) may sweep them, or it could delete another writer's file in flight.
  async removeLeftovers(): Promise<string[]> {
    const names = (await fs.readdir(this.dir)).filter((n) => /^snapshot\.json\.(?:[0-9a-f]+|bak)\.tmp$/.test(n));
    await Promise.all(names.map((n) => fs.rm(path.join(this.dir, n), { force: true })));
    return names;
  }

  async write(snapshot: Snapshot): Promise<void> {
    const tmp = path.join(this.dir, `snapshot.json.${randomBytes(6).toString('hex')}.tmp`);
    try {
      const handle = await fs.open(tmp, 'wx', 0o644);
      try {
        await handle.writeFile(JSON.stringify(snapshot));
        await handle.sync();
      } finally {
        await handle.close();
      }
      await fs.rm(`${this.file}.bak.tmp`, { force: true });
      await fs.link(this.file, `${this.file}.bak.tmp`).catch(() => {});
      await fs.rename(`${this.file}.bak.tmp`, `${this.file}.bak`).catch(() => {});
      await fs.rename(tmp, this.file);
    } catch (error) {
      await fs.rm(tmp, { force: true });
      throw error;
    }
    const dirHandle = await fs.open(this.dir, 'r');
    try {
      await dirHandle.sync();
    } finally {
      await dirHandle.close();
    }
  }
}
