import type { ServerResponse } from 'node:http';

// Where one client's stream goes: a Node response on the real server, a web
// ReadableStream under app.request(). Writes never wait; the stream asks how far behind it is.
export interface SseSink {
  write(chunk: Uint8Array): void;
  // bytes accepted but not yet taken by the peer
  readonly buffered: number;
  // resolves once the peer has taken what was buffered, or the sink closed
  drained(): Promise<void>;
  // a clean end: the client sees the stream finish and reconnects
  end(): void;
  // cut off: a client too slow to keep up, or an error
  destroy(): void;
  onClose(listener: () => void): void;
}

export const nodeSink = (res: ServerResponse): SseSink => ({
  write: (chunk) => {
    if (!res.destroyed && !res.writableEnded) res.write(chunk);
  },
  get buffered() {
    return res.writableLength;
  },
  drained: () =>
    new Promise<void>((resolve) => {
      if (!res.writableNeedDrain || res.destroyed) return resolve();
      const done = () => {
        res.off('drain', done);
        res.off('close', done);
        resolve();
      };
      res.on('drain', done);
      res.on('close', done);
    }),
  end: () => {
    if (!res.writableEnded) res.end();
  },
  destroy: () => res.destroy(),
  onClose: (listener) => res.once('close', listener),
});

// A web stream whose backlog counts bytes, so the same bound applies under app.request().
export const webSink = (highWaterMark = 64 * 1024): { sink: SseSink; stream: ReadableStream<Uint8Array> } => {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let closed = false;
  const closeListeners: Array<() => void> = [];
  let waiters: Array<() => void> = [];
  const close = () => {
    if (closed) return;
    closed = true;
    for (const w of waiters) w();
    waiters = [];
    for (const l of closeListeners.splice(0)) l();
  };
  const stream = new ReadableStream<Uint8Array>(
    {
      start: (c) => {
        controller = c;
      },
      pull: () => {
        for (const w of waiters) w();
        waiters = [];
      },
      cancel: () => close(),
    },
    new ByteLengthQueuingStrategy({ highWaterMark }),
  );
  const sink: SseSink = {
    write: (chunk) => {
      if (!closed) controller.enqueue(chunk);
    },
    get buffered() {
      return closed ? 0 : highWaterMark - (controller.desiredSize ?? highWaterMark);
    },
    drained: () => (closed || (controller.desiredSize ?? 1) > 0 ? Promise.resolve() : new Promise<void>((resolve) => waiters.push(resolve))),
    end: () => {
      if (closed) return;
      controller.close();
      close();
    },
    destroy: () => {
      if (closed) return;
      controller.error(new Error('stream cut off: the client fell too far behind'));
      close();
    },
    onClose: (listener) => {
      if (closed) listener();
      else closeListeners.push(listener);
    },
  };
  return { sink, stream };
};
