import type { SharedSecrets } from '../pg/shared-secrets.ts';
import { checkRecord, type TokenBackend, TokenError, type TokenRecord } from './token-backend.ts';

// How long an instance trusts the token hashes it last read: a token revoked on one
// instance stops working on every other within this time (README: Scaling out).
export const TOKEN_CACHE_MS = 2_000;

const PREFIX = 'token:';

export interface SharedTokenOptions {
  now?: () => number;
  maxAgeMs?: number;
  // names the place in messages, e.g. `"command_center".shared_secrets`
  where?: string;
  // the database did not answer; the tokens last read are used meanwhile
  onStale?: (error: Error) => void;
}

// Token hashes in the table every instance shares (PostgreSQL), one row a token
// (`token:<name>`), so a token made on one instance, or by the CLI, works on all, and a
// revoked one stops working on all. Each instance reads them at most every maxAgeMs, and
// again at once when it meets a token it does not know (one read at a time, so a flood of
// wrong tokens costs one connection, not the pool).
export const sharedTokenBackend = (secrets: SharedSecrets, options: SharedTokenOptions = {}): TokenBackend => {
  const now = options.now ?? Date.now;
  const maxAgeMs = options.maxAgeMs ?? TOKEN_CACHE_MS;
  const where = options.where ?? 'the shared_secrets table';
  let cache: { at: number; records: TokenRecord[] } | undefined;
  let reading: Promise<TokenRecord[]> | undefined;

  const fail = (problem: string) =>
    new TokenError(`${where} holds a token that cannot be read: ${problem}. Revoke that token ("command-center token revoke --name NAME") and create it again.`, 'corrupt');

  const readAll = async (): Promise<TokenRecord[]> =>
    (await secrets.entries(PREFIX))
      .map(([key, value]) => {
        let parsed: unknown;
        try {
          parsed = JSON.parse(value);
        } catch {
          throw fail(`row "${key}" is not JSON`);
        }
        const record = checkRecord(parsed, `row "${key}"`, fail);
        if (`${PREFIX}${record.name}` !== key) throw fail(`row "${key}" holds the token "${record.name}"`);
        return record;
      })
      .sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.name < b.name ? -1 : 1));

  const reload = (): Promise<TokenRecord[]> =>
    (reading ??= (async () => {
      try {
        const records = await readAll();
        cache = { at: now(), records };
        return records;
      } catch (error) {
        if (error instanceof TokenError || !cache) throw error;
        // The database is unreachable (a restart): keep the tokens last read, as reads of
        // the projections keep answering too, and ask again after maxAgeMs.
        options.onStale?.(error as Error);
        cache = { at: now(), records: cache.records };
        return cache.records;
      }
    })().finally(() => (reading = undefined)));

  // Our own change counts at once on this instance; the others see it within maxAgeMs.
  const invalidate = () => {
    if (cache) cache = { at: Number.NEGATIVE_INFINITY, records: cache.records };
  };

  return {
    kind: 'database',
    async load({ fresh = false } = {}) {
      if (!fresh && cache && now() - cache.at < maxAgeMs) return [...cache.records];
      return [...(await reload())];
    },
    async add(record) {
      const value = JSON.stringify(record);
      const stored = await secrets.getOrCreate(`${PREFIX}${record.name}`, () => value);
      invalidate();
      return stored === value;
    },
    async remove(name) {
      const key = `${PREFIX}${name}`;
      if ((await secrets.get(key)) === undefined) return false;
      await secrets.delete(key);
      invalidate();
      return true;
    },
  };
};
