import type { Models, Page } from '../models.ts';
import type { Replay as ReplayModel } from '../replay.ts';
import { ControlPanel } from './ControlPanel.tsx';
import { Dashboard } from './Dashboard.tsx';
import { Replay } from './Replay.tsx';
import { SignInPrompt } from './SignInPrompt.tsx';
import { StaleOverlay } from './StaleOverlay.tsx';
import { TopBar } from './TopBar.tsx';

const TITLES: Record<Page, string> = { dashboard: 'NOC', panel: 'PeakPro CRM', replay: 'Audit replay' };

export const App = ({ models, page, replay }: { models: Models; page: Page; replay: ReplayModel | null }) => (
  <div class={`app page-${page}${models.kiosk ? ' kiosk' : ''}`}>
    {!models.kiosk && (
      <a class="skip" href="#main">
        Skip to content
      </a>
    )}
    {!models.kiosk && <TopBar models={models} page={page} title={TITLES[page]} />}
    {page === 'dashboard' && <Dashboard models={models} />}
    {page === 'panel' && <ControlPanel models={models} />}
    {page === 'replay' && replay && <Replay replay={replay} />}
    {page !== 'replay' && <StaleOverlay store={models.store} />}
    <SignInPrompt store={models.store} />
  </div>
);
