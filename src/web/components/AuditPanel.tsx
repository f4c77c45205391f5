import type { ReadonlySignal } from '@preact/signals';
import { useState } from 'preact/hooks';
import type { AuditEntry } from '../../core/domain/audit.ts';
import { clockTime } from '../format.ts';
import { Ago } from './Ago.tsx';

const LIMIT = 50;

// What a line of audit says besides who and what: the reason of a pause, a run's error …
const details = (e: AuditEntry): string => {
  const m = e.metadata;
  const parts: string[] = [];
  if (typeof m.reason === 'string') parts.push(`“${m.reason}”`);
  if (typeof m.error === 'string') parts.push(m.error);
  if (typeof m.errorClass === 'string') parts.push(`(${m.errorClass})`);
  if (typeof m.revertedTo === 'number') parts.push(`to #${m.revertedTo}`);
  if (typeof m.durationMs === 'number') parts.push(`${(m.durationMs / 1000).toFixed(1)} s`);
  return parts.join(' ');
};

// The last 50 operations, newest first, optionally for one tenant.
export const AuditPanel = ({ entries, now, tenants }: { entries: readonly AuditEntry[]; now: ReadonlySignal<number>; tenants: readonly string[] }) => {
  const [tenant, setTenant] = useState('');
  const shown = entries.filter((e) => tenant === '' || e.tenant === tenant).slice(0, LIMIT);
  return (
    <section class="card audit" aria-labelledby="audit-title">
      <div class="card-head">
        <h2 id="audit-title">Audit</h2>
        <label for="audit-tenant">Tenant</label>
        <select id="audit-tenant" value={tenant} onChange={(e) => setTenant(e.currentTarget.value)}>
          <option value="">all tenants</option>
          {tenants.map((t) => (
            <option value={t}>{t}</option>
          ))}
        </select>
      </div>
      <ol class="audit-list" aria-label={`Last ${LIMIT} operations`}>
        {shown.map((e) => (
          <li key={e.seq} class={`audit-entry op-${e.operation}`}>
            <span class="audit-time" title={e.ts}>
              {clockTime(e.ts)} <Ago at={e.ts} now={now} />
            </span>
            <span class="audit-tenant">{e.tenant}</span>
            <span class="audit-op">{e.operation}</span>
            <span class="audit-who">
              <span class={`source source-${e.source}`}>{e.source}</span>
              {e.actor !== e.source && <> {e.actor}</>}
            </span>
            <span class="audit-details">{details(e)}</span>
          </li>
        ))}
        {shown.length === 0 && <li class="muted">Nothing yet.</li>}
      </ol>
    </section>
  );
};
