import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { PROJECTION_VERSION, type State } from '../domain/projection.ts';

// Periodic copies of the projections (data/checkpoints), so the state as of any point is a
// checkpoint plus at most `every` events away instead of a fold from seq 1. Each is one
// brotli-compressed JSON file named after what a lookup needs, so choosing one is a readdir:
//   v<projection version>-<seq, 12 digits>-<ts of its last event, epoch ms>.json.br
// Checkpoints are derived data: losing one costs a longer fold, never an event.

export interface CheckpointEntry {
  seq: number;
  // ts of the last event it includes (epoch ms); -1 before the first event
  tsMs: number;
  file: string;
}

export type CheckpointPoint = { seq: number } | { at: string };

export const DEFAULT_CHECKPOINT_EVERY = 100_000;

const compress = promisify(zlib.brotliCompress);
const decompress = promisify(zlib.brotliDecompress);
const NAME = /^v(\d+)-(\d{12})-(-?\d+)\.json\.br$/;
const nameOf = (seq: number, tsMs: number) => `v${PROJECTION_VERSION}-${String(seq).padStart(12, '0')}-${tsMs}.json.br`;

export class CheckpointStore {
  private entries: CheckpointEntry[] | undefined;

  constructor(readonly dir: string) {}

  // This version's checkpoints, oldest first.
  async list(): Promise<CheckpointEntry[]> {
    if (this.entries) return this.entries;
    const names = await fs.readdir(this.dir).catch(() => [] as string[]);
    const entries: CheckpointEntry[] = [];
    for (const name of names) {
      const m = NAME.exec(name);
      if (m && Number(m[1]) === PROJECTION_VERSION) entries.push({ seq: Number(m[2]), tsMs: Number(m[3]), file: path.join(this.dir, name) });
    }
    this.entries = entries.sort((a, b) => a.seq - b.seq);
    return this.entries;
  }

  // The newest checkpoint at or before the point: every event it includes is part of the answer.
  async nearest(point: CheckpointPoint, floorSeq = 0): Promise<CheckpointEntry | undefined> {
    const entries = await this.list();
    const atMs = 'at' in point ? Date.parse(point.at) : Number.NaN;
    let best: CheckpointEntry | undefined;
    for (const e of entries) {
      if (e.seq < floorSeq) continue;
      if ('seq' in point ? e.seq <= point.seq : e.tsMs <= atMs) best = e;
      else break;
    }
    return best;
  }

  async load(entry: CheckpointEntry): Promise<State> {
    const state = JSON.parse((await decompress(await fs.readFile(entry.file))).toString('utf8')) as State;
    if (state.seq !== entry.seq) throw new Error(`checkpoint ${path.basename(entry.file)} holds seq ${state.seq}`);
    return state;
  }

  async write(state: State): Promise<CheckpointEntry> {
    await fs.mkdir(this.dir, { recursive: true });
    const tsMs = state.lastEvent ? Date.parse(state.lastEvent.ts) : -1;
    const file = path.join(this.dir, nameOf(state.seq, tsMs));
    const tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
    const body = await compress(Buffer.from(JSON.stringify(state)), { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 5 } });
    try {
      await fs.writeFile(tmp, body);
      await fs.rename(tmp, file);
    } catch (error) {
      await fs.rm(tmp, { force: true });
      throw error;
    }
    const entry = { seq: state.seq, tsMs, file };
    const entries = await this.list();
    if (!entries.some((e) => e.seq === entry.seq)) {
      entries.push(entry);
      entries.sort((a, b) => a.seq - b.seq);
    }
    return entry;
  }

  // Checkpoints of other projection versions and leftovers of interrupted writes.
  async removeStale(): Promise<string[]> {
    const names = await fs.readdir(this.dir).catch(() => [] as string[]);
    const stale = names.filter((n) => n.endsWith('.tmp') || (NAME.test(n) && Number(NAME.exec(n)![1]) !== PROJECTION_VERSION));
    await Promise.all(stale.map((n) => fs.rm(path.join(this.dir, n), { force: true })));
    return stale;
  }
}
