import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSessionKey, SessionSigner } from '../../../src/core/access/session-signer.ts';
import { sharedTokenBackend } from '../../../src/core/access/shared-token-backend.ts';
import { hashToken, TokenStore } from '../../../src/core/access/token-store.ts';
import { memorySharedSecrets, type SharedSecrets } from '../../../src/core/pg/shared-secrets.ts';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'cc-tokens-'));
const mode = (file: string) => fs.statSync(file).mode & 0o777;
const T0 = Date.parse('2026-11-25T08:00:00.000Z');

describe('TokenStore on the data directory', () => {
  it('generates the built-in tokens once, keeping only their hashes in a 0600 file', async () => {
    const dir = tmp();
    const generated = await new TokenStore(dir).ensureBuiltins();
    expect(Object.keys(generated).sort()).toEqual(['operator', 'viewer']);
    const file = path.join(dir, 'tokens.json');
    expect(mode(file)).toBe(0o600);
    const text = fs.readFileSync(file, 'utf8');
    expect(text).not.toContain(generated.operator);
    expect(text).toContain(hashToken(generated.operator!));
    expect(await new TokenStore(dir).ensureBuiltins()).toEqual({});
    expect(await new TokenStore(dir).identify(generated.viewer!)).toMatchObject({ name: 'viewer', role: 'viewer' });
  });

  it('takes built-in tokens from the environment without storing or generating them', async () => {
    const dir = tmp();
    const store = new TokenStore(dir, { operator: 'from-the-environment-123' });
    const generated = await store.ensureBuiltins();
    expect(Object.keys(generated)).toEqual(['viewer']);
    expect(fs.readFileSync(path.join(dir, 'tokens.json'), 'utf8')).not.toContain(hashToken('from-the-environment-123'));
    expect(await store.identify('from-the-environment-123')).toMatchObject({ name: 'operator', role: 'operator' });
  });

  it('creates, lists and revokes named tokens; another process sees the change', async () => {
    const dir = tmp();
    const cli = new TokenStore(dir);
    const server = new TokenStore(dir);
    const token = await cli.create('alice', 'operator');
    expect(await server.identify(token)).toMatchObject({ name: 'alice', role: 'operator' });
    await expect(cli.create('alice', 'viewer')).rejects.toThrow(/exists/);
    await expect(cli.create('operator', 'viewer')).rejects.toThrow(/reserved/);
    await expect(cli.create('Not OK', 'viewer')).rejects.toThrow(/lowercase/);
    expect((await cli.list()).map((t) => [t.name, t.from])).toEqual([['alice', 'file']]);
    await cli.revoke('alice');
    expect(await server.identify(token)).toBeNull();
    await expect(cli.revoke('alice')).rejects.toThrow(/no token/);
  });

  it.each([
    ['{"format":1,"tokens":[', /tokens\.json is not a valid tokens file: it is not JSON/],
    ['{"format":2,"tokens":[]}', /tokens\.json is not a valid tokens file: "format" must be 1/],
    ['{"format":1,"tokens":{}}', /"tokens" must be a list/],
    [`{"format":1,"tokens":[{"name":"alice","role":"admin","hash":"${'a'.repeat(64)}","createdAt":""}]}`, /token 1 \("alice"\): "role" must be "viewer" or "operator"/],
    [`{"format":1,"tokens":[{"name":"alice","role":"viewer","hash":"abc","createdAt":""}]}`, /token 1 \("alice"\): "hash" must be 64 lowercase hex digits/],
  ])('refuses an unreadable tokens file (%s) with a message that names the file and what is wrong', async (text, message) => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'tokens.json'), text);
    const store = new TokenStore(dir);
    await expect(store.check()).rejects.toMatchObject({ name: 'TokenError', code: 'corrupt', message: expect.stringMatching(message) });
    expect((await store.check().catch((e: Error) => e))!.message).toContain(path.join(dir, 'tokens.json'));
  });
});

// Two instances' stores over one shared table, each with its own clock.
const twoInstances = (secrets: SharedSecrets = memorySharedSecrets()) => {
  const clocks = { a: T0, b: T0 };
  const a = new TokenStore(sharedTokenBackend(secrets, { now: () => clocks.a }), {}, () => clocks.a);
  const b = new TokenStore(sharedTokenBackend(secrets, { now: () => clocks.b }), {}, () => clocks.b);
  return { a, b, clocks, secrets };
};

describe('TokenStore on the shared database', () => {
  it('knows a token created on another instance at once, even with its own list freshly read', async () => {
    const { a, b } = twoInstances();
    expect(await b.identify('cc_nobody')).toBeNull();
    const token = await a.create('alice', 'operator');
    expect(await b.identify(token)).toMatchObject({ name: 'alice', role: 'operator' });
    expect((await b.list()).map((t) => [t.name, t.from])).toEqual([['alice', 'database']]);
  });

  it('stops accepting a token revoked on another instance once its 2 s cache runs out, and at once on the one that revoked', async () => {
    const { a, b, clocks } = twoInstances();
    const token = await a.create('alice', 'operator');
    const identity = (await b.identify(token))!;
    expect(await a.identify(token)).not.toBeNull();
    await a.revoke('alice');
    expect(await a.identify(token)).toBeNull();
    // B read the list a moment ago: it may trust it for 2 s, and no longer
    clocks.b += 1_999;
    expect(await b.byTokenId(identity.tokenId, 'alice')).not.toBeNull();
    clocks.b += 1;
    expect(await b.byTokenId(identity.tokenId, 'alice')).toBeNull();
    expect(await b.identify(token)).toBeNull();
  });

  it('generates the built-in tokens once for all instances: only the one whose token was stored shows it', async () => {
    const { a, b } = twoInstances();
    const [first, second] = await Promise.all([a.ensureBuiltins(), b.ensureBuiltins()]);
    const shown = { ...first, ...second };
    expect(Object.keys(first).length + Object.keys(second).length).toBe(2);
    expect(await b.identify(shown.operator!)).toMatchObject({ name: 'operator', role: 'operator' });
    expect(await a.identify(shown.viewer!)).toMatchObject({ name: 'viewer', role: 'viewer' });
    expect(await a.ensureBuiltins()).toEqual({});
  });

  it('keeps the tokens it read last while the database does not answer, and says so', async () => {
    const shared = memorySharedSecrets();
    let down = false;
    const secrets: SharedSecrets = {
      ...shared,
      entries: (prefix) => (down ? Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5432')) : shared.entries(prefix)),
    };
    let now = T0;
    const stale: string[] = [];
    const store = new TokenStore(sharedTokenBackend(secrets, { now: () => now, onStale: (e) => stale.push(e.message) }));
    const token = await store.create('alice', 'viewer');
    expect(await store.identify(token)).not.toBeNull();
    down = true;
    now += 5_000;
    expect(await store.identify(token)).toMatchObject({ name: 'alice' });
    expect(stale).toEqual(['connect ECONNREFUSED 127.0.0.1:5432']);
  });

  it('refuses a token row it cannot read, naming the row', async () => {
    const secrets = memorySharedSecrets();
    await secrets.set('token:alice', '{"name":"alice","role":"root"}');
    const store = new TokenStore(sharedTokenBackend(secrets, { where: 'the shared_secrets table of schema "x"' }));
    await expect(store.check()).rejects.toMatchObject({
      code: 'corrupt',
      message: expect.stringMatching(/shared_secrets table of schema "x" holds a token that cannot be read: row "token:alice" \("alice"\): "role"/),
    });
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
