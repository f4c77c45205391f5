export interface Progress {
  update(done: number): void;
  // clears the line; the caller prints its own summary
  end(): void;
}

const REDRAW_MS = 100;
const WIDTH = 24;

// A single redrawn line on a terminal ("copying [#####-----] 42% 12,345/29,000 events,
// 8,100/s"); nothing at all when the output is a file or a pipe, so logs stay clean.
export const progressLine = (out: { isTTY?: boolean; write(chunk: string): unknown }, label: string, total: number): Progress => {
  if (!out.isTTY) return { update() {}, end() {} };
  const started = performance.now();
  let drawn = 0;
  const draw = (done: number) => {
    const fraction = total > 0 ? Math.min(1, done / total) : 1;
    const filled = Math.round(fraction * WIDTH);
    const rate = done / Math.max((performance.now() - started) / 1000, 1e-3);
    out.write(
      `\r${label} [${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}] ${Math.floor(fraction * 100)}% ` +
        `${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')} events, ${Math.round(rate).toLocaleString('en-US')}/s\u001b[K`,
    );
  };
  return {
    update(done) {
      const now = performance.now();
      if (now - drawn < REDRAW_MS && done < total) return;
      drawn = now;
      draw(done);
    },
    end() {
      out.write('\r\u001b[K');
    },
  };
};
