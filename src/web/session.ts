import { signal } from '@preact/signals';
import { ApiError, type Api } from './api.ts';

// operator: may change things; viewer: reads only (the NOC wall); unknown: not found out yet.
export type Role = 'operator' | 'viewer' | 'unknown';

export const createSession = ({ api }: { api: Api }) => {
  const role = signal<Role>('unknown');
  const name = signal<string | null>(null);

  // GET /api/session says who this browser is signed in as.
  const probe = async () => {
    try {
      const who = await api.get<{ role: 'operator' | 'viewer'; name: string }>('/api/session');
      role.value = who.role;
      name.value = who.name;
    } catch {
      role.value = 'unknown';
    }
  };

  return {
    role,
    name,
    probe,
    // A 403 on a change means this session is a viewer, whatever we thought.
    noteError(error: unknown) {
      if (error instanceof ApiError && error.status === 403 && /role|may not|forbidden|viewer/i.test(error.message)) role.value = 'viewer';
    },
    canChange: () => role.value === 'operator',
  };
};

export type Session = ReturnType<typeof createSession>;
