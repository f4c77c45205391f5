import { describe, expect, it } from 'vitest';
import { normalizeTenant } from '../../../src/core/domain/slug.ts';
import { tenantInput, tenantSlug } from '../../../src/core/domain/tenant.ts';

describe('tenant slugs', () => {
  it('trims and lowercases what an operator types', () => {
    expect(normalizeTenant('  Acme-Roofing \n')).toBe('acme-roofing');
    expect(tenantInput.parse('  ACME-Roofing-2 ')).toBe('acme-roofing-2');
  });

  it('accepts letters, digits and dashes, starting with a letter or digit, up to 63 characters', () => {
    for (const ok of ['a', '7', 'acme', 'acme-roofing', '9-lives', 'a-', 'x'.repeat(63)]) expect(tenantInput.parse(ok)).toBe(ok);
  });

  it.each([
    ['', 'tenant is required'],
    ['   ', 'tenant is required'],
    ['-acme', 'tenant must be lowercase letters'],
    ['acme_roofing', 'tenant must be lowercase letters'],
    ['acme roofing', 'tenant must be lowercase letters'],
    ['acmé', 'tenant must be lowercase letters'],
    ['acme/roofing', 'tenant must be lowercase letters'],
    ['x'.repeat(64), 'at most 63 characters'],
  ])('refuses %j with a message that says why', (raw, message) => {
    const parsed = tenantInput.safeParse(raw);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.message).toContain(message);
  });

  it('refuses what is not a string', () => {
    for (const raw of [42, null, undefined, { tenant: 'acme' }]) {
      const parsed = tenantInput.safeParse(raw);
      expect(parsed.success).toBe(false);
      expect(parsed.error?.issues[0]?.message).toBe('tenant must be a string');
    }
  });

  it('stores only canonical slugs: the command schema does not normalise', () => {
    expect(tenantSlug.safeParse('acme-roofing').success).toBe(true);
    expect(tenantSlug.safeParse('Acme-Roofing').success).toBe(false);
    expect(tenantSlug.safeParse(' acme').success).toBe(false);
  });
});
