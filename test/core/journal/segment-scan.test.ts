import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { chainHash, encodeLine, GENESIS_HASH } from '../../../src/core/journal/line-codec.ts';
import { type ScannedLine, scanSegment } from '../../../src/core/journal/segment-scan.ts';

const MiB = 1 << 20;

// A segment of hash-chained lines whose event JSON is padded to the given sizes.
const writeSegment = (file: string, sizes: number[]) => {
  let hash = GENESIS_HASH;
  const lines = sizes.map((size, i) => {
    const json = JSON.stringify({ seq: i + 1, pad: 'x'.repeat(size) });
    hash = chainHash(hash, json);
    return encodeLine(hash, json);
  });
  fs.writeFileSync(file, lines.join(''));
  return { hash, bytes: Buffer.byteLength(lines.join('')) };
};

const start = { hash: GENESIS_HASH, nextSeq: 1, offset: 0, line: 1 };

describe('scanSegment', () => {
  const dirs: string[] = [];
  const fresh = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-scan-'));
    dirs.push(dir);
    return path.join(dir, '000001.jsonl');
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });

  it('checks every line of a segment spanning many read chunks, lines longer than a chunk included', async () => {
    const file = fresh();
    const sizes = [100, 3 * MiB, 200, ...Array.from({ length: 4000 }, (_, i) => 300 + (i % 700)), 2 * MiB + 17, 50];
    const written = writeSegment(file, sizes);
    const seen: ScannedLine[] = [];
    const end = await scanSegment(file, start, (l) => seen.push(l));
    expect(end).toEqual({ kind: 'clean', state: { hash: written.hash, nextSeq: sizes.length + 1, offset: written.bytes, line: sizes.length + 1 } });
    expect(seen.map((l) => l.seq)).toEqual(sizes.map((_, i) => i + 1));
    expect(seen.map((l) => JSON.parse(l.eventJson).pad.length)).toEqual(sizes);
    // each line starts where the one before it ended
    expect(seen.every((l, i) => l.start === (seen[i - 1]?.end ?? 0))).toBe(true);
  });

  it('reports a torn tail after complete lines that cross a chunk boundary', async () => {
    const file = fresh();
    const written = writeSegment(file, [MiB - 200, 500]);
    fs.appendFileSync(file, '{"hash":"0123');
    const end = await scanSegment(file, start, () => {});
    expect(end).toEqual({ kind: 'torn', tornBytes: 13, state: { hash: written.hash, nextSeq: 3, offset: written.bytes, line: 3 } });
  });

  it('stops at a corrupt line past the first chunk and names its line', async () => {
    const file = fresh();
    const sizes = Array.from({ length: 6000 }, () => 400);
    writeSegment(file, sizes);
    const bytes = fs.readFileSync(file);
    const lineStarts = [0];
    for (let i = bytes.indexOf(10); i >= 0 && lineStarts.length < sizes.length; i = bytes.indexOf(10, i + 1)) lineStarts.push(i + 1);
    const target = 4321;
    const at = lineStarts[target - 1]! + 120; // inside the padding of line 4321
    bytes[at] = bytes[at]! ^ 1;
    fs.writeFileSync(file, bytes);
    const end = await scanSegment(file, start, () => {});
    expect(end.kind).toBe('corrupt');
    expect(end.state).toMatchObject({ line: target, nextSeq: target, offset: lineStarts[target - 1] });
  });
});
