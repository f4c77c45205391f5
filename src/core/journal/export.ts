import { verifyJournal } from './verify.ts';

// NDJSON of the events, verified on the way: an export never carries a broken chain silently.
export const exportJournal = async (dir: string, write: (chunk: string) => boolean | void): Promise<number> => {
  let buffer = '';
  let count = 0;
  const report = await verifyJournal(dir, (line) => {
    buffer += `${line.eventJson}\n`;
    count += 1;
    if (buffer.length > 1 << 16) {
      write(buffer);
      buffer = '';
    }
  });
  if (buffer) write(buffer);
  if (!report.ok && report.problem) {
    throw new Error(`export stopped at segment ${report.problem.segment} line ${report.problem.line}: ${report.problem.message}`);
  }
  return count;
};

