import crypto from 'node:crypto';

// One journal line: {"hash":"<64 hex>","event":<event JSON>}\n
// The hash is sha256(previous line's hash + event JSON), so editing, dropping or reordering
// any line breaks every hash after it. The event JSON sits at a fixed offset, so verifying
// a line never re-serialises it.
export const GENESIS_HASH = '0'.repeat(64);
const HEAD = '{"hash":"';
const MIDDLE = '","event":';
export const EVENT_OFFSET = HEAD.length + 64 + MIDDLE.length;
const SEQ_PREFIX = '{"seq":';

// One-shot hash(): creating a Hash object per line costs more than hashing the line.
export const chainHash = (previousHash: string, eventJson: string): string => crypto.hash('sha256', previousHash + eventJson, 'hex');

export const encodeLine = (hash: string, eventJson: string): string => `${HEAD}${hash}${MIDDLE}${eventJson}}\n`;

export type LineCheck =
  | { ok: true; hash: string; seq: number; eventJson: string }
  | { ok: false; problem: string };

// Checks one line (without its newline) against the chain so far.
export const checkLine = (line: string, previousHash: string, expectedSeq: number): LineCheck => {
  if (!line.startsWith(HEAD) || line.slice(HEAD.length + 64, EVENT_OFFSET) !== MIDDLE || !line.endsWith('}')) {
    return { ok: false, problem: 'line is not a journal record' };
  }
  const hash = line.slice(HEAD.length, HEAD.length + 64);
  const eventJson = line.slice(EVENT_OFFSET, line.length - 1);
  if (chainHash(previousHash, eventJson) !== hash) {
    return { ok: false, problem: 'hash does not match the line and the chain before it (edited, reordered or a line is missing)' };
  }
  const seq = eventJson.startsWith(SEQ_PREFIX) ? Number.parseInt(eventJson.slice(SEQ_PREFIX.length), 10) : Number.NaN;
  if (seq !== expectedSeq) return { ok: false, problem: `seq is ${seq}, expected ${expectedSeq}` };
  return { ok: true, hash, seq, eventJson };
};
