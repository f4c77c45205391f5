// Child process of bench/year.ts: archives sealed segments with the archiver's own
// writeArchive (tmp, fsync, rename, unlink), one at a time in the order sent, on the second
// core while the parent goes on generating.
import fs from 'node:fs';
import { writeArchive } from '../src/core/journal/archive-format.ts';

interface Job {
  raw: string;
  name: string;
  final: string;
  prevHash: string;
  firstSeq: number;
}

let queue = Promise.resolve();
process.on('message', (job: Job | 'done') => {
  queue = queue.then(async () => {
    if (job === 'done') {
      process.send!({ done: true }, () => process.exit(0));
      return;
    }
    const header = await writeArchive(job.raw, job.name, `${job.final}.tmp`, { prevHash: job.prevHash, firstSeq: job.firstSeq });
    fs.renameSync(`${job.final}.tmp`, job.final);
    fs.rmSync(job.raw);
    process.send!({ name: job.name, rawBytes: header.rawBytes, bytes: fs.statSync(job.final).size });
  });
});
