import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { checkRecord, type TokenBackend, TokenError, type TokenRecord } from './token-backend.ts';

export const TOKENS_FILE = 'tokens.json';

interface TokenFile {
  format: 1;
  tokens: TokenRecord[];
}

const parseTokenFile = (file: string, text: string): TokenRecord[] => {
  const fail = (problem: string) =>
    new TokenError(
      `${file} is not a valid tokens file: ${problem}. Fix it, or move it away to start over ` +
        '(the built-in tokens are then generated and printed again; named tokens must be created again).',
      'corrupt',
    );
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw fail(`it is not JSON (${(error as Error).message})`);
  }
  const body = parsed as Partial<TokenFile> | null;
  if (typeof body !== 'object' || body === null || body.format !== 1) throw fail('"format" must be 1');
  if (!Array.isArray(body.tokens)) throw fail('"tokens" must be a list');
  const records = body.tokens.map((t, i) => checkRecord(t, `token ${i + 1}`, fail));
  const names = new Set<string>();
  for (const r of records) {
    if (names.has(r.name)) throw fail(`the name "${r.name}" appears twice`);
    names.add(r.name);
  }
  return records;
};

// Token hashes in <dataDir>/tokens.json (mode 0600). The file is read again whenever it
// changes, so `token create` / `token revoke` from another process take effect on a
// running server at its next request.
export const fileTokenBackend = (dataDir: string): TokenBackend & { readonly file: string } => {
  const file = path.join(dataDir, TOKENS_FILE);
  let cache: { stamp: string; records: TokenRecord[] } = { stamp: '', records: [] };

  const read = (): TokenRecord[] => {
    let stamp: string;
    try {
      const stat = fs.statSync(file);
      stamp = `${stat.ino}:${stat.size}:${stat.mtimeMs}`;
    } catch {
      return [];
    }
    if (stamp !== cache.stamp) cache = { stamp, records: parseTokenFile(file, fs.readFileSync(file, 'utf8')) };
    return [...cache.records];
  };

  // Written whole to a new file and renamed over, so a reader never sees half of it.
  const write = (records: TokenRecord[]): void => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
    const fd = fs.openSync(tmp, 'wx', 0o600);
    try {
      fs.writeSync(fd, `${JSON.stringify({ format: 1, tokens: records } satisfies TokenFile, null, 2)}\n`);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
    fs.chmodSync(file, 0o600);
  };

  return {
    kind: 'file',
    file,
    load: async () => read(),
    add: async (record) => {
      const records = read();
      if (records.some((r) => r.name === record.name)) return false;
      write([...records, record]);
      return true;
    },
    remove: async (name) => {
      const records = read();
      const kept = records.filter((r) => r.name !== name);
      if (kept.length === records.length) return false;
      write(kept);
      return true;
    },
  };
};
