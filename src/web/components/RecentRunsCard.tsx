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

// Recent runs, newest first: tenant, trigger, outcome, duration, age. Runs of the demo
// runner are simulated imports, and say so.
export const RecentRunsCard = ({ runs, now, limit }: { runs: readonly RunRecord[]; now: ReadonlySignal<number>; limit: number }) => (
  <section class="card runs" aria-labelledby="runs-title">
    <h2 id="runs-title">Recent runs</h2>
    {runs.length === 0 ? (
      <p class="muted">No runs yet.</p>
    ) : (
      <ol class="run-list">
        {runs.slice(0, limit).map((r) => {
          const [kind, word] = OUTCOME[r.outcome];
          return (
            <li key={r.runId} class={`run run-${r.outcome}`}>
              <span class="run-tenant">{r.tenant}</span>
              <span class={`outcome outcome-${r.outcome}`}>
                <StatusIcon kind={kind} size={18} /> {word}
                {r.errorClass && <> ({r.errorClass})</>}
              </span>
              <span class="run-meta">
                {r.trigger} · {r.outcome === 'running' ? 'running' : duration(r.durationMs)} · <Ago at={r.startedAt} now={now} />
                {r.runner === 'demo' && (
                  <span class="tag" title="demo runner: a simulated import">
                    simulated
                  </span>
                )}
              </span>
            </li>
          );
        })}
      </ol>
    )}
  </section>
);
