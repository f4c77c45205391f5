import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../tmp.ts';
import type { Logger } from '../../../src/core/logger.ts';
import { silentLogger } from '../../../src/core/logger.ts';
import { systemClock } from '../../../src/core/clock.ts';
import { CommandService } from '../../../src/core/service.ts';
import { openFileStore } from '../../../src/core/store/file-store.ts';


describe('a start-up that replays the journal', () => {
  it('logs its progress, so a long replay does not look like a hung start', async () => {
    const dataDir = tempDir('progress');
    const first = await openFileStore({ dataDir, log: silentLogger });
    const service = new CommandService({ store: first, clock: systemClock });
    for (let i = 0; i < 25; i++) await service.execute({ type: 'CreateSchedule', tenant: `tenant-${i}`, spec: { every: 60 }, runner: 'demo' }, { source: 'api', actor: 'operator' });
    await first.close();
    // without a snapshot the next start replays all 25 events
    for (const name of fs.readdirSync(dataDir)) if (name.startsWith('snapshot')) fs.rmSync(path.join(dataDir, name));

    const lines: { message: string; fields: Record<string, unknown> | undefined }[] = [];
    const log: Logger = { ...silentLogger, info: (message, fields) => lines.push({ message, fields }) };
    const second = await openFileStore({ dataDir, log, replayProgressEvery: 10 });
    await second.close();
    expect(lines.filter((l) => l.message === 'replaying the journal').map((l) => [l.fields?.seq, l.fields?.replayed])).toEqual([
      [10, 10],
      [20, 20],
    ]);
    expect(lines.find((l) => l.message === 'journal opened')?.fields).toMatchObject({ seq: 25, snapshot: 'none', replayed: 25 });
  });
});
