import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { fileTokenBackend } from './file-token-backend.ts';
import { type Role, ROLES, type TokenBackend, TokenError, TOKEN_NAME, type TokenRecord } from './token-backend.ts';

export { type Role, ROLES, TokenError, TOKEN_NAME } from './token-backend.ts';
export { TOKENS_FILE } from './file-token-backend.ts';

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
  // where a token comes from: the data directory, the shared database, or (built-in ones) the environment
  from: TokenBackend['kind'] | 'environment';
}

const BUILTIN: readonly Role[] = ['operator', 'viewer'];
// names the audit already uses for something else
const RESERVED = new Set(['operator', 'viewer', 'scheduler', 'anonymous', 'system', 'cli']);

export const hashToken = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');
export const newToken = (): string => `cc_${randomBytes(32).toString('base64url')}`;
const tokenIdOf = (hash: string) => hash.slice(0, 16);

// The tokens that may sign in, by hash; the tokens themselves are never stored. Where the
// hashes live is the backend's business (tokens.json, or the database instances share).
export class TokenStore {
  private readonly backend: TokenBackend;

  constructor(
    // a data directory: its tokens.json
    backend: TokenBackend | string,
    // CC_OPERATOR_TOKEN / CC_VIEWER_TOKEN: these win over the stored ones and are never printed
    private readonly fromEnv: Partial<Record<Role, string>> = {},
    private readonly now: () => number = Date.now,
  ) {
    this.backend = typeof backend === 'string' ? fileTokenBackend(backend) : backend;
  }

  // Reads what is stored, so a start-up with an unreadable tokens file stops with the
  // backend's message (TokenError "corrupt") instead of failing every request later.
  async check(): Promise<void> {
    await this.backend.load({ fresh: true });
  }

  // Generates the built-in tokens that neither the environment nor the store provides.
  // Returns them in clear this once, for the caller to print; only their hashes are kept.
  // Instances starting together on one database: only the one whose token was stored prints it.
  async ensureBuiltins(): Promise<Partial<Record<Role, string>>> {
    const records = await this.backend.load({ fresh: true });
    const generated: Partial<Record<Role, string>> = {};
    for (const role of BUILTIN) {
      if (this.fromEnv[role] || records.some((r) => r.name === role)) continue;
      const token = newToken();
      if (await this.backend.add({ name: role, role, hash: hashToken(token), createdAt: new Date(this.now()).toISOString() })) generated[role] = token;
    }
    return generated;
  }

  // Compares against every known hash without stopping early, so timing says nothing.
  async identify(token: string): Promise<Identity | null> {
    const presented = Buffer.from(hashToken(token), 'hex');
    const find = (records: TokenRecord[]) => {
      let found: TokenRecord | undefined;
      for (const record of records) {
        const known = Buffer.from(record.hash, 'hex');
        if (known.length === presented.length && timingSafeEqual(known, presented) && !found) found = record;
      }
      return found;
    };
    // a token made a moment ago on another instance: read again before saying no
    const found = find(await this.records()) ?? find(await this.records(true));
    return found ? { name: found.name, role: found.role, tokenId: tokenIdOf(found.hash) } : null;
  }

  // The identity a session was issued for, if its token still exists.
  async byTokenId(tokenId: string, name: string): Promise<Identity | null> {
    const find = (records: TokenRecord[]) => records.find((r) => r.name === name && tokenIdOf(r.hash) === tokenId);
    const record = find(await this.records()) ?? find(await this.records(true));
    return record ? { name: record.name, role: record.role, tokenId } : null;
  }

  async create(name: string, role: Role): Promise<string> {
    if (!TOKEN_NAME.test(name)) {
      throw new TokenError('a token name is lowercase letters, digits, ".", "_" and "-", at most 63 characters', 'invalid');
    }
    if (RESERVED.has(name)) throw new TokenError(`"${name}" is reserved; choose another name`, 'invalid');
    if (!ROLES.includes(role)) throw new TokenError('role must be "viewer" or "operator"', 'invalid');
    const token = newToken();
    const added = await this.backend.add({ name, role, hash: hashToken(token), createdAt: new Date(this.now()).toISOString() });
    if (!added) throw new TokenError(`a token named "${name}" exists; revoke it first`, 'conflict');
    return token;
  }

  async revoke(name: string): Promise<void> {
    if (BUILTIN.includes(name as Role)) {
      const where = this.backend.kind === 'file' ? 'remove it from tokens.json' : 'delete its row from the shared_secrets table';
      throw new TokenError(`"${name}" is a built-in token; set CC_${name.toUpperCase()}_TOKEN or ${where} to replace it`, 'invalid');
    }
    if (!(await this.backend.remove(name))) throw new TokenError(`no token named "${name}"`, 'not_found');
  }

  async list(): Promise<TokenInfo[]> {
    return (await this.records(true)).map((r) => ({
      name: r.name,
      role: r.role,
      builtin: BUILTIN.includes(r.name as Role),
      createdAt: r.createdAt,
      from: BUILTIN.includes(r.name as Role) && this.fromEnv[r.name as Role] ? 'environment' : this.backend.kind,
    }));
  }

  private async records(fresh = false): Promise<TokenRecord[]> {
    const envRecords: TokenRecord[] = [];
    for (const role of BUILTIN) {
      const token = this.fromEnv[role];
      if (token) envRecords.push({ name: role, role, hash: hashToken(token), createdAt: '' });
    }
    const stored = await this.backend.load({ fresh });
    return [...envRecords, ...stored.filter((r) => !(BUILTIN.includes(r.name as Role) && this.fromEnv[r.name as Role]))];
  }
}
