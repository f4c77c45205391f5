import type { Clock } from '../core/clock.ts';
import type { SessionSigner } from '../core/access/session-signer.ts';
import type { Identity, TokenStore } from '../core/access/token-store.ts';
import type { Principal } from './context.ts';

export const SESSION_COOKIE = 'cc_session';
export const DEFAULT_SESSION_DAYS = 30;

export interface Credentials {
  authorization?: string | undefined;
  cookie?: string | undefined;
}

export interface Access {
  authenticate(credentials: Credentials): Promise<Principal | null>;
  // A session for a browser that presented this token, or null when the token is unknown.
  login(token: string): Promise<{ session: string; maxAgeSeconds: number; principal: Principal } | null>;
}

const cookieValue = (header: string, name: string): string | undefined => {
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
};

const principal = (identity: Identity, via: Principal['via']): Principal => ({ role: identity.role, name: identity.name, via });

// Bearer tokens for API clients (source "api"), signed session cookies for browsers
// (source "ui"). A session holds the id of the token it came from, so revoking a named
// token ends its sessions too.
export const createAccess = (options: { tokens: TokenStore; signer: SessionSigner; clock: Clock; sessionDays?: number }): Access => {
  const { tokens, signer, clock } = options;
  const maxAgeSeconds = Math.round((options.sessionDays ?? DEFAULT_SESSION_DAYS) * 24 * 3600);
  return {
    async authenticate({ authorization, cookie }) {
      if (authorization !== undefined) {
        const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization);
        const identity = match ? await tokens.identify(match[1]!) : null;
        return identity ? principal(identity, 'bearer') : null;
      }
      const value = cookie ? cookieValue(cookie, SESSION_COOKIE) : undefined;
      if (!value) return null;
      const session = signer.verify(value, clock.now());
      const identity = session ? await tokens.byTokenId(session.tokenId, session.name) : null;
      return identity ? principal(identity, 'cookie') : null;
    },
    async login(token) {
      const identity = await tokens.identify(token);
      if (!identity) return null;
      const session = signer.sign({ ...identity, expiresAt: clock.now() + maxAgeSeconds * 1000 });
      return { session, maxAgeSeconds, principal: principal(identity, 'cookie') };
    },
  };
};
