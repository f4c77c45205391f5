import type { Models, Page } from '../models.ts';
import { ConnectionIndicator } from './ConnectionIndicator.tsx';

const LINKS: [Page, string, string][] = [
  ['dashboard', '/', 'Dashboard'],
  ['panel', '/panel', 'Control panel'],
  ['replay', '/replay', 'Replay'],
];

export const TopBar = ({ models, page, title }: { models: Models; page: Page; title: string }) => {
  const role = models.session.role.value;
  return (
    <header class="topbar">
      <div class="brand">
        <span class="brand-name">Command Center</span>
        <span class="brand-page">{title}</span>
      </div>
      {!models.kiosk && (
        <nav aria-label="Pages">
          {LINKS.map(([p, href, label]) => (
            <a href={href} aria-current={p === page ? 'page' : undefined}>
              {label}
            </a>
          ))}
        </nav>
      )}
      <div class="topbar-right">
        {!models.kiosk && role === 'viewer' && <span class="role-tag">read-only (viewer)</span>}
        {page !== 'replay' && <ConnectionIndicator store={models.store} />}
      </div>
    </header>
  );
};
