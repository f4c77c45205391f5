import type { ReadonlySignal } from '@preact/signals';
import type { RunRecord } from '../../core/domain/runs.ts';
import { duration } from '../format.ts';
import { Ago } from './Ago.tsx';
import { StatusIcon } from './StatusIcon.tsx';

const OUTCOME = {
  running: ['RUNNING', 'running'],
  succeeded: ['OK', 'succeeded'],
  failed: ['ERROR', 'failed'],
} as const;

// Recent runs, newest first. Runs of the demo runner are simulated imports, and say so.
export const RecentRunsCard = ({ runs, now, limit }: { runs: readonly RunRecord[]; now: ReadonlySignal<number>; limit: number }) => (
  <section class="card runs" aria-labelledby="runs-title">
    <h2 id="runs-title">Recent runs</h2>
    {runs.length === 0 ? (
      <p class="muted">No runs yet.</p>
    ) : (
      <table class="runs-table">
        <thead>
          <tr>
            <th scope="col">Tenant</th>
            <th scope="col">Trigger</th>
            <th scope="col">Outcome</th>
            <th scope="col">Duration</th>
            <th scope="col">Started</th>
          </tr>
        </thead>
        <tbody>
          {runs.slice(0, limit).map((r) => {
            const [kind, word] = OUTCOME[r.outcome];
            return (
              <tr key={r.runId} class={`run-${r.outcome}`}>
                <td class="run-tenant">
                  {r.tenant}
                  {r.runner === 'demo' && <span class="tag" title="demo runner: a simulated import">simulated</span>}
                </td>
                <td>{r.trigger}</td>
                <td class={`outcome outcome-${r.outcome}`}>
                  <StatusIcon kind={kind} size={18} /> {word}
                  {r.errorClass && <span class="muted"> ({r.errorClass})</span>}
                </td>
                <td class="num">{r.outcome === 'running' ? '…' : duration(r.durationMs)}</td>
                <td class="num">
                  <Ago at={r.startedAt} now={now} />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    )}
  </section>
);
