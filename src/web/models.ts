import type { Api } from './api.ts';
import type { Feed } from './feed.ts';
import type { HealthModel } from './health.ts';
import type { Operations } from './operations.ts';
import type { Session } from './session.ts';
import type { Store } from './store.ts';

// Everything a page needs, created once in main.tsx and handed down as one prop.
export interface Models {
  api: Api;
  feed: Feed;
  store: Store;
  session: Session;
  health: HealthModel;
  ops: Operations;
  kiosk: boolean;
}

export type Page = 'dashboard' | 'panel' | 'replay';
