import { z } from 'zod';
import { normalizeTenant, TENANT_PATTERN } from './slug.ts';


// Accepts what an operator types ("  Acme-Roofing ") and yields the canonical slug.
export const tenantInput = z
  .string({ error: 'tenant must be a string' })
  .transform(normalizeTenant)
  .pipe(
    z
      .string()
      // abort: an empty slug needs one message, not also the pattern's
      .min(1, { message: 'tenant is required', abort: true })
      .regex(TENANT_PATTERN, 'tenant must be lowercase letters, digits and dashes, starting with a letter or digit, at most 63 characters'),
  );

export const tenantSlug = z.string().regex(TENANT_PATTERN);
