import type { RunRecord } from '../core/domain/runs.ts';

// The run timeline as plain data: one strip per tenant, each run a mark placed by time.

export interface Mark {
  runId: string;
  // 0..1 across the window
  x: number;
  width: number;
  outcome: RunRecord['outcome'];
}

export interface Strip {
  tenant: string;
  marks: Mark[];
}

// A mark is at least this share of the strip, so a 2-second run is still visible across the room.
const MIN_WIDTH = 0.004;

export const timelineStrips = (
  runs: readonly RunRecord[],
  tenants: readonly string[],
  nowMs: number,
  windowMs: number,
): Strip[] => {
  const start = nowMs - windowMs;
  const byTenant = new Map<string, Mark[]>(tenants.map((t) => [t, []]));
  for (const r of runs) {
    const marks = byTenant.get(r.tenant);
    if (!marks) continue;
    const begin = Date.parse(r.startedAt);
    const end = r.finishedAt ? Date.parse(r.finishedAt) : nowMs;
    if (end < start || begin > nowMs) continue;
    const x = Math.max(0, (begin - start) / windowMs);
    const width = Math.max(MIN_WIDTH, (Math.min(end, nowMs) - Math.max(begin, start)) / windowMs);
    marks.push({ runId: r.runId, x, width: Math.min(width, 1 - x), outcome: r.outcome });
  }
  return tenants.map((tenant) => ({ tenant, marks: (byTenant.get(tenant) ?? []).reverse() }));
};

// Hour ticks for the axis, as fractions of the window.
export const hourTicks = (nowMs: number, windowMs: number): { x: number; label: string }[] => {
  const start = nowMs - windowMs;
  const hour = 3_600_000;
  const ticks: { x: number; label: string }[] = [];
  // strictly inside the window: a tick on its left edge would sit on the labels
  for (let t = Math.floor(start / hour) * hour + hour; t <= nowMs; t += hour) {
    ticks.push({ x: (t - start) / windowMs, label: `${String(new Date(t).getUTCHours()).padStart(2, '0')}:00Z` });
  }
  return ticks;
};
