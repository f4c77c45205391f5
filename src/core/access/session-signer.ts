import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Role } from './token-store.ts';

export interface Session {
  name: string;
  role: Role;
  tokenId: string;
  expiresAt: number;
}

export const SESSION_KEY_FILE = 'session.key';

// The HMAC key lives in the data directory (mode 0600), so sessions survive restarts:
// a NOC wall display is never logged out by a deploy.
export const loadSessionKey = (dataDir: string): Buffer => {
  const file = path.join(dataDir, SESSION_KEY_FILE);
  fs.mkdirSync(dataDir, { recursive: true });
  try {
    const fd = fs.openSync(file, 'wx', 0o600);
    try {
      fs.writeSync(fd, randomBytes(32).toString('hex'));
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const key = Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'hex');
  if (key.length < 32) throw new Error(`${file} does not hold a session key; delete it to make a new one (browsers will have to log in again)`);
  return key;
};

const isSession = (v: unknown): v is Session => {
  const s = v as Session | null;
  return (
    typeof s === 'object' &&
    s !== null &&
    typeof s.name === 'string' &&
    (s.role === 'viewer' || s.role === 'operator') &&
    typeof s.tokenId === 'string' &&
    typeof s.expiresAt === 'number'
  );
};

// A session is `v1.<payload>.<mac>`, both base64url: readable by its holder, forgeable by no one.
export class SessionSigner {
  constructor(private readonly key: Buffer) {}

  sign(session: Session): string {
    const payload = Buffer.from(JSON.stringify(session)).toString('base64url');
    return `v1.${payload}.${this.mac(payload)}`;
  }

  verify(value: string, nowMs: number): Session | null {
    const parts = value.split('.');
    if (parts.length !== 3 || parts[0] !== 'v1') return null;
    const [, payload = '', mac = ''] = parts;
    const expected = Buffer.from(this.mac(payload), 'base64url');
    const given = Buffer.from(mac, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    let session: unknown;
    try {
      session = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      return null;
    }
    return isSession(session) && session.expiresAt > nowMs ? session : null;
  }

  private mac(payload: string): string {
    return createHmac('sha256', this.key).update(`v1.${payload}`).digest('base64url');
  }
}
