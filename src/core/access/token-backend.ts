export type Role = 'viewer' | 'operator';
export const ROLES: readonly Role[] = ['viewer', 'operator'];

export const TOKEN_NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/;

// One token as it is kept: its hash, never the token itself.
export interface TokenRecord {
  name: string;
  role: Role;
  hash: string;
  createdAt: string;
}

export class TokenError extends Error {
  constructor(
    message: string,
    // corrupt: what is stored cannot be read (a hand-edited file); the message names where
    readonly code: 'invalid' | 'conflict' | 'not_found' | 'corrupt',
  ) {
    super(message);
    this.name = 'TokenError';
  }
}

// Where token hashes live: the data directory (file store) or the database every
// instance shares (PostgreSQL).
export interface TokenBackend {
  readonly kind: 'file' | 'database';
  // Every stored record. `fresh`: the caller met a token it does not know, so a backend
  // that caches (the database one) reads again. Throws TokenError "corrupt" when what is
  // stored cannot be read.
  load(options?: { fresh?: boolean }): Promise<TokenRecord[]>;
  // Stores the record unless one of that name exists; false when it does (first writer wins).
  add(record: TokenRecord): Promise<boolean>;
  // false when there was no record of that name
  remove(name: string): Promise<boolean>;
}

const HASH = /^[0-9a-f]{64}$/;

// A stored record, checked field by field: a bad one must stop the server with a message
// that says what is wrong where, not fail every request with a 500.
export const checkRecord = (value: unknown, where: string, fail: (problem: string) => TokenError): TokenRecord => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw fail(`${where} is not an object`);
  const r = value as Record<string, unknown>;
  if (typeof r.name !== 'string' || !TOKEN_NAME.test(r.name)) throw fail(`${where}: "name" is missing or not a token name`);
  if (r.role !== 'viewer' && r.role !== 'operator') throw fail(`${where} ("${r.name}"): "role" must be "viewer" or "operator"`);
  if (typeof r.hash !== 'string' || !HASH.test(r.hash)) throw fail(`${where} ("${r.name}"): "hash" must be 64 lowercase hex digits (a sha256)`);
  if (typeof r.createdAt !== 'string') throw fail(`${where} ("${r.name}"): "createdAt" must be a string`);
  return { name: r.name, role: r.role, hash: r.hash, createdAt: r.createdAt };
};
