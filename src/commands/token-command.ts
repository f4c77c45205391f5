import { type Role, ROLES, TokenError, TokenStore } from '../core/access/token-store.ts';

const USAGE = `usage:
  command-center token create --name NAME --role viewer|operator   prints the token once
  command-center token list
  command-center token revoke --name NAME`;

// Named personal tokens, so the audit says who: the token is printed once, only its hash is kept.
export const tokenCommand = (
  action: string | undefined,
  values: { name?: string | undefined; role?: string | undefined },
  dataDir: string,
  out: (line: string) => void,
): number => {
  const store = new TokenStore(dataDir);
  try {
    switch (action) {
      case 'create': {
        const role = (values.role ?? 'viewer') as Role;
        if (!values.name || !ROLES.includes(role)) {
          out(USAGE);
          return 2;
        }
        const token = store.create(values.name, role);
        out(`Created ${role} token "${values.name}". It is shown this once; only its hash is kept:\n\n  ${token}\n`);
        out(`API clients send it as "Authorization: Bearer <token>"; a browser opens /login?token=<token>.`);
        return 0;
      }
      case 'list': {
        const tokens = store.list();
        if (tokens.length === 0) out('no tokens yet (the built-in ones are generated on the first start)');
        for (const t of tokens) out(`${t.name.padEnd(24)} ${t.role.padEnd(9)} ${t.builtin ? 'built-in' : 'named   '} ${t.createdAt || '(from the environment)'}`);
        return 0;
      }
      case 'revoke': {
        if (!values.name) {
          out(USAGE);
          return 2;
        }
        store.revoke(values.name);
        out(`Revoked "${values.name}": its token and the browser sessions opened with it no longer work.`);
        return 0;
      }
      default:
        out(USAGE);
        return 2;
    }
  } catch (error) {
    if (error instanceof TokenError) {
      out(error.message);
      return 1;
    }
    throw error;
  }
};
