import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSessionKey, SessionSigner } from '../../../src/core/access/session-signer.ts';
import { hashToken, TokenStore } from '../../../src/core/access/token-store.ts';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'cc-tokens-'));
const mode = (file: string) => fs.statSync(file).mode & 0o777;

describe('TokenStore', () => {
  it('generates the built-in tokens once, keeping only their hashes in a 0600 file', () => {
    const dir = tmp();
    const generated = new TokenStore(dir).ensureBuiltins();
    expect(Object.keys(generated).sort()).toEqual(['operator', 'viewer']);
    const file = path.join(dir, 'tokens.json');
    expect(mode(file)).toBe(0o600);
    const text = fs.readFileSync(file, 'utf8');
    expect(text).not.toContain(generated.operator);
    expect(text).toContain(hashToken(generated.operator!));
    expect(new TokenStore(dir).ensureBuiltins()).toEqual({});
    expect(new TokenStore(dir).identify(generated.viewer!)).toMatchObject({ name: 'viewer', role: 'viewer' });
  });

  it('takes built-in tokens from the environment without storing or generating them', () => {
    const dir = tmp();
    const store = new TokenStore(dir, { operator: 'from-the-environment-123' });
    const generated = store.ensureBuiltins();
    expect(Object.keys(generated)).toEqual(['viewer']);
    expect(fs.readFileSync(path.join(dir, 'tokens.json'), 'utf8')).not.toContain(hashToken('from-the-environment-123'));
    expect(store.identify('from-the-environment-123')).toMatchObject({ name: 'operator', role: 'operator' });
  });

  it('creates, lists and revokes named tokens; another process sees the change', () => {
    const dir = tmp();
    const cli = new TokenStore(dir);
    const server = new TokenStore(dir);
    const token = cli.create('alice', 'operator');
    expect(server.identify(token)).toMatchObject({ name: 'alice', role: 'operator' });
    expect(() => cli.create('alice', 'viewer')).toThrow(/exists/);
    expect(() => cli.create('operator', 'viewer')).toThrow(/reserved/);
    expect(() => cli.create('Not OK', 'viewer')).toThrow(/lowercase/);
    expect(cli.list().map((t) => t.name)).toEqual(['alice']);
    cli.revoke('alice');
    expect(server.identify(token)).toBeNull();
    expect(() => cli.revoke('alice')).toThrow(/no token/);
  });
});

describe('sessions', () => {
  it('keeps the signing key in a 0600 file that survives restarts', () => {
    const dir = tmp();
    const key = loadSessionKey(dir);
    expect(mode(path.join(dir, 'session.key'))).toBe(0o600);
    expect(loadSessionKey(dir).equals(key)).toBe(true);
    const session = { name: 'alice', role: 'operator' as const, tokenId: 'abc', expiresAt: 2_000 };
    const signed = new SessionSigner(key).sign(session);
    expect(new SessionSigner(loadSessionKey(dir)).verify(signed, 1_000)).toEqual(session);
    expect(new SessionSigner(loadSessionKey(dir)).verify(signed, 2_000)).toBeNull();
    expect(new SessionSigner(loadSessionKey(tmp())).verify(signed, 1_000)).toBeNull();
  });
});
