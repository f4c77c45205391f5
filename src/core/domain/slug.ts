// Tenant slug rules without zod, shared by the server's schemas (tenant.ts) and the UI.
export const TENANT_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;

export const normalizeTenant = (raw: string): string => raw.trim().toLowerCase();
