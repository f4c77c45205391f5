import { signal } from '@preact/signals';
import { ApiError, type Api } from './api.ts';

// operator: may change things; viewer: reads only (the NOC wall); unknown: not found out yet.
export type Role = 'operator' | 'viewer' | 'unknown';

// Endpoints that later server work adds. The UI shows a feature only when its endpoint answers.
export interface Capabilities {
  runNow: boolean;
  history: boolean;
  revert: boolean;
  replay: boolean;
}

const NONE: Capabilities = { runNow: false, history: false, revert: false, replay: false };

// A request that the route, if it exists, refuses as "no such schedule" (a slug cannot start
// with "-"): it tells whether the route is there without touching anything.
const PROBE_TENANT = '-';

const present = async (attempt: Promise<unknown>): Promise<boolean> => {
  try {
    await attempt;
    return true;
  } catch (error) {
    return !(error instanceof ApiError && (error.isMissingRoute || error.status === 0));
  }
};

export const createSession = ({ api }: { api: Api }) => {
  const role = signal<Role>('unknown');
  const caps = signal<Capabilities>(NONE);

  // The API has no "who am I" endpoint (DESIGN §7), so the role is inferred from how the
  // server answers an empty create: 400 (the body is invalid) to an operator, 403 to a viewer.
  const probeRole = async (): Promise<Role> => {
    try {
      await api.send('POST', '/api/schedules', {});
      return 'operator';
    } catch (error) {
      if (!(error instanceof ApiError)) return 'unknown';
      if (error.status === 403) return 'viewer';
      if (error.status === 400 || error.status === 422) return 'operator';
      return 'unknown';
    }
  };

  const probe = async () => {
    const [who, runNow, history, revert, replay] = await Promise.all([
      probeRole(),
      present(api.send('POST', `/api/schedules/${PROBE_TENANT}/run`)),
      present(api.get(`/api/schedules/${PROBE_TENANT}/history`)),
      present(api.send('POST', `/api/schedules/${PROBE_TENANT}/revert`, { toSeq: 1 })),
      present(api.get('/api/replay?seq=0')),
    ]);
    role.value = who;
    caps.value = { runNow, history, revert, replay };
  };

  return {
    role,
    caps,
    probe,
    // A 403 on a change means this session is a viewer, whatever we thought.
    noteError(error: unknown) {
      if (error instanceof ApiError && error.status === 403 && /role|may not|forbidden|viewer/i.test(error.message)) role.value = 'viewer';
    },
    // A feature whose endpoint turned out to be missing is hidden rather than left to fail.
    lose(feature: keyof Capabilities) {
      caps.value = { ...caps.value, [feature]: false };
    },
    canChange: () => role.value === 'operator',
  };
};

export type Session = ReturnType<typeof createSession>;
