import type { Role } from '../core/access/token-store.ts';

// The built-in tokens, shown once when they are generated, as links a person can open.
export const firstStartNotice = (url: string, tokens: Partial<Record<Role, string>>): string | undefined => {
  const roles = (['operator', 'viewer'] as const).filter((r) => tokens[r]);
  if (roles.length === 0) return undefined;
  // a wildcard bind address is no place to point a browser
  const base = url.replace('//0.0.0.0:', '//localhost:').replace('//[::]:', '//localhost:');
  const lines = ['', 'Access tokens were generated for this data directory. They are shown this once; only their hashes are kept.', ''];
  for (const role of roles) {
    const token = tokens[role]!;
    lines.push(`  ${role.padEnd(8)} ${token}`, `           ${base}/login?token=${encodeURIComponent(token)}`, '');
  }
  lines.push('Give the viewer link to wall displays and the operator link to operators; name personal tokens with', '"command-center token create --name NAME --role operator" so the audit says who.', '');
  return lines.join('\n');
};
