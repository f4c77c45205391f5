import type { LastEvent } from '../../core/domain/projection.ts';
import { clockTime } from '../format.ts';

// "08:00:00Z • acme-roofing • scheduled-run": the newest thing that happened, always in view.
export const LastAuditBadge = ({ last }: { last: LastEvent | undefined }) => (
  <div class="last-audit" aria-label="Last audit entry" data-testid="last-audit">
    <span class="last-audit-label">Last</span>
    {last ? (
      <span>
        {clockTime(last.ts)} • {last.tenant} • {last.operation}
      </span>
    ) : (
      <span>no events yet</span>
    )}
  </div>
);
