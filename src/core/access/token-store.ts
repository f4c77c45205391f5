import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export type Role = 'viewer' | 'operator';
export const ROLES: readonly Role[] = ['viewer', 'operator'];

// Who a token speaks for. `tokenId` names the token itself, so a session issued for it
// ends when that token is revoked or replaced, even if a new one gets the same name.
export interface Identity {
  name: string;
  role: Role;
  tokenId: string;
}

export interface TokenInfo {
  name: string;
  role: Role;
  builtin: boolean;
  createdAt: string;
  // where a built-in token comes from; named tokens always live in the file
  from: 'file' | 'environment';
}

interface TokenRecord {
  name: string;
  role: Role;
  hash: string;
  createdAt: string;
}

interface TokenFile {
  format: 1;
  tokens: TokenRecord[];
}

export const TOKENS_FILE = 'tokens.json';
export const TOKEN_NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/;
const BUILTIN: readonly Role[] = ['operator', 'viewer'];
// names the audit already uses for something else
const RESERVED = new Set(['operator', 'viewer', 'scheduler', 'anonymous', 'system', 'cli']);

export class TokenError extends Error {
  constructor(
    message: string,
    readonly code: 'invalid' | 'conflict' | 'not_found',
  ) {
    super(message);
    this.name = 'TokenError';
  }
}

export const hashToken = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');
export const newToken = (): string => `cc_${randomBytes(32).toString('base64url')}`;
const tokenIdOf = (hash: string) => hash.slice(0, 16);

// Token hashes in <dataDir>/tokens.json (mode 0600); the tokens themselves are never stored.
// The file is re-read when it changes, so `token create` / `token revoke` from another
// process take effect on a running server at its next request.
export class TokenStore {
  private readonly file: string;
  private cache: { stamp: string; records: TokenRecord[] } = { stamp: '', records: [] };

  constructor(
    dataDir: string,
    // CC_OPERATOR_TOKEN / CC_VIEWER_TOKEN: these win over the file and are never printed
    private readonly fromEnv: Partial<Record<Role, string>> = {},
    private readonly now: () => number = Date.now,
  ) {
    this.file = path.join(dataDir, TOKENS_FILE);
  }

  // Generates the built-in tokens that neither the environment nor the file provides.
  // Returns them in clear this once, for the caller to print; only their hashes are kept.
  ensureBuiltins(): Partial<Record<Role, string>> {
    const records = this.read();
    const generated: Partial<Record<Role, string>> = {};
    for (const role of BUILTIN) {
      if (this.fromEnv[role] || records.some((r) => r.name === role)) continue;
      const token = newToken();
      records.push({ name: role, role, hash: hashToken(token), createdAt: new Date(this.now()).toISOString() });
      generated[role] = token;
    }
    if (Object.keys(generated).length > 0) this.write(records);
    return generated;
  }

  // Compares against every known hash without stopping early, so timing says nothing.
  identify(token: string): Identity | null {
    const presented = Buffer.from(hashToken(token), 'hex');
    let found: TokenRecord | undefined;
    for (const record of this.records()) {
      const known = Buffer.from(record.hash, 'hex');
      if (known.length === presented.length && timingSafeEqual(known, presented) && !found) found = record;
    }
    return found ? { name: found.name, role: found.role, tokenId: tokenIdOf(found.hash) } : null;
  }

  // The identity a session was issued for, if its token still exists.
  byTokenId(tokenId: string, name: string): Identity | null {
    const record = this.records().find((r) => r.name === name && tokenIdOf(r.hash) === tokenId);
    return record ? { name: record.name, role: record.role, tokenId } : null;
  }

  create(name: string, role: Role): string {
    if (!TOKEN_NAME.test(name)) {
      throw new TokenError('a token name is lowercase letters, digits, ".", "_" and "-", at most 63 characters', 'invalid');
    }
    if (RESERVED.has(name)) throw new TokenError(`"${name}" is reserved; choose another name`, 'invalid');
    if (!ROLES.includes(role)) throw new TokenError('role must be "viewer" or "operator"', 'invalid');
    const records = this.read();
    if (records.some((r) => r.name === name)) throw new TokenError(`a token named "${name}" exists; revoke it first`, 'conflict');
    const token = newToken();
    records.push({ name, role, hash: hashToken(token), createdAt: new Date(this.now()).toISOString() });
    this.write(records);
    return token;
  }

  revoke(name: string): void {
    if (BUILTIN.includes(name as Role)) {
      throw new TokenError(`"${name}" is a built-in token; set CC_${name.toUpperCase()}_TOKEN or remove it from ${TOKENS_FILE} to replace it`, 'invalid');
    }
    const records = this.read();
    const kept = records.filter((r) => r.name !== name);
    if (kept.length === records.length) throw new TokenError(`no token named "${name}"`, 'not_found');
    this.write(kept);
  }

  list(): TokenInfo[] {
    return this.records().map((r) => ({
      name: r.name,
      role: r.role,
      builtin: BUILTIN.includes(r.name as Role),
      createdAt: r.createdAt,
      from: BUILTIN.includes(r.name as Role) && this.fromEnv[r.name as Role] ? 'environment' : 'file',
    }));
  }

  private records(): TokenRecord[] {
    const envRecords: TokenRecord[] = [];
    for (const role of BUILTIN) {
      const token = this.fromEnv[role];
      if (token) envRecords.push({ name: role, role, hash: hashToken(token), createdAt: '' });
    }
    return [...envRecords, ...this.read().filter((r) => !(BUILTIN.includes(r.name as Role) && this.fromEnv[r.name as Role]))];
  }

  private read(): TokenRecord[] {
    let stamp: string;
    try {
      const stat = fs.statSync(this.file);
      stamp = `${stat.ino}:${stat.size}:${stat.mtimeMs}`;
    } catch {
      return [];
    }
    if (stamp !== this.cache.stamp) {
      const parsed = JSON.parse(fs.readFileSync(this.file, 'utf8')) as TokenFile;
      if (parsed.format !== 1 || !Array.isArray(parsed.tokens)) throw new Error(`${this.file} is not a tokens file`);
      this.cache = { stamp, records: parsed.tokens };
    }
    return [...this.cache.records];
  }

  // Written whole to a new file and renamed over, so a reader never sees half of it.
  private write(records: TokenRecord[]): void {
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${randomBytes(6).toString('hex')}.tmp`;
    const fd = fs.openSync(tmp, 'wx', 0o600);
    try {
      fs.writeSync(fd, `${JSON.stringify({ format: 1, tokens: records } satisfies TokenFile, null, 2)}\n`);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, this.file);
    fs.chmodSync(this.file, 0o600);
  }
}
