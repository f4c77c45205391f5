import { sharedTokenBackend } from '../core/access/shared-token-backend.ts';
import { type Role, ROLES, TokenError, TokenStore } from '../core/access/token-store.ts';
import type { Config } from '../core/config.ts';
import type { Logger } from '../core/logger.ts';
import { migrate } from '../core/pg/migrations.ts';
import { pgNames } from '../core/pg/pg-names.ts';
import { createPgPool } from '../core/pg/pg-pool.ts';
import { pgSharedSecrets } from '../core/pg/shared-secrets.ts';

const USAGE = `usage:
  command-center token create --name NAME --role viewer|operator   prints the token once
  command-center token list
  command-center token revoke --name NAME`;

type Where = Pick<Config, 'store' | 'dataDir' | 'databaseUrl' | 'pgSchema'>;

// The tokens the servers of this configuration use: the data directory's tokens.json, or
// with CC_STORE=postgres the database every instance shares (its schema made if missing,
// so tokens can be created before the first start).
const withTokens = async <T>(where: Where, log: Logger, work: (store: TokenStore) => Promise<T>): Promise<T> => {
  if (where.store !== 'postgres') return work(new TokenStore(where.dataDir));
  const names = pgNames(where.pgSchema);
  const pool = createPgPool({ connectionString: where.databaseUrl ?? '', log, max: 1 });
  try {
    await migrate(pool, names);
    return await work(new TokenStore(sharedTokenBackend(pgSharedSecrets(pool, names), { where: `the shared_secrets table of schema "${names.schema}"` })));
  } finally {
    await pool.end().catch(() => {});
  }
};

// Named personal tokens, so the audit says who: the token is printed once, only its hash is kept.
export const tokenCommand = async (
  action: string | undefined,
  values: { name?: string | undefined; role?: string | undefined },
  where: Where,
  log: Logger,
  out: (line: string) => void,
): Promise<number> => {
  const role = (values.role ?? 'viewer') as Role;
  const { name } = values;
  const valid = action === 'list' || (action === 'create' && name && ROLES.includes(role)) || (action === 'revoke' && name);
  if (!valid) {
    out(USAGE);
    return 2;
  }
  const everywhere = where.store === 'postgres' ? ' on every instance (within 2 s)' : '';
  try {
    await withTokens(where, log, async (store) => {
      if (action === 'create') {
        const token = await store.create(name!, role);
        out(`Created ${role} token "${name}". It is shown this once; only its hash is kept:\n\n  ${token}\n`);
        out(`API clients send it as "Authorization: Bearer <token>"; a browser opens /login?token=<token>.`);
      } else if (action === 'revoke') {
        await store.revoke(name!);
        out(`Revoked "${name}": its token and the browser sessions opened with it no longer work${everywhere}.`);
      } else {
        const tokens = await store.list();
        if (tokens.length === 0) out('no tokens yet (the built-in ones are generated on the first start)');
        for (const t of tokens) out(`${t.name.padEnd(24)} ${t.role.padEnd(9)} ${t.builtin ? 'built-in' : 'named   '} ${t.createdAt || '(from the environment)'}`);
      }
    });
    return 0;
  } catch (error) {
    if (error instanceof TokenError) {
      out(error.message);
      return 1;
    }
    throw error;
  }
};
