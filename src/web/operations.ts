import { type Api, tenantPath } from './api.ts';
import type { Version } from './diff.ts';
import type { SpecBody } from './schedule-form.ts';
import type { Session } from './session.ts';
import type { Store } from './store.ts';

// What operators do, as calls to the API. The result reaches the screen the same way every
// change does — as an event through the store — so no action updates the state itself.
export const createOperations = ({ api, store, session }: { api: Api; store: Store; session: Session }) => {
  const change = async <T>(call: () => Promise<T>): Promise<T> => {
    try {
      const result = await call();
      void store.refresh();
      return result;
    } catch (error) {
      session.noteError(error);
      store.noteError(error);
      throw error;
    }
  };

  return {
    create: (body: { tenant: string } & SpecBody) => change(() => api.send('POST', '/api/schedules', body)),
    update: (tenant: string, body: SpecBody) => change(() => api.send('PATCH', tenantPath(tenant), body)),
    pause: (tenant: string, body: { reason?: string; until?: string }) => change(() => api.send('POST', tenantPath(tenant, '/pause'), body)),
    resume: (tenant: string) => change(() => api.send('POST', tenantPath(tenant, '/resume'))),
    runNow: (tenant: string) => change(() => api.send<{ runId: string }>('POST', tenantPath(tenant, '/run'))),
    remove: (tenant: string) => change(() => api.send('DELETE', tenantPath(tenant))),
    history: async (tenant: string): Promise<Version[]> => (await api.get<{ versions: Version[] }>(tenantPath(tenant, '/history'))).versions,
    revert: (tenant: string, toSeq: number) => change(() => api.send('POST', tenantPath(tenant, '/revert'), { toSeq })),
  };
};

export type Operations = ReturnType<typeof createOperations>;
