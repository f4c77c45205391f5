import type { Models } from '../models.ts';
import { AuditPanel } from './AuditPanel.tsx';
import { CreateForm } from './CreateForm.tsx';
import { ScheduleTable } from './ScheduleTable.tsx';

// PeakPro CRM control panel: create, act on schedules, read the audit.
export const ControlPanel = ({ models }: { models: Models }) => {
  const { store, session, ops } = models;
  const state = store.state.value;
  const tenants = Object.keys(state.schedules).sort();
  return (
    <main class="panel" id="main">
      <div class="panel-main">
        {session.role.value === 'operator' && <CreateForm ops={ops} />}
        {session.role.value === 'viewer' && (
          <p class="card viewer-note" role="note">
            You are signed in as a viewer: you can watch, not change.
          </p>
        )}
        <ScheduleTable models={models} />
      </div>
      <AuditPanel entries={state.audit} now={store.now} tenants={tenants} />
    </main>
  );
};
