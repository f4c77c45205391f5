import { StatusIcon, type StatusKind } from './StatusIcon.tsx';

export const StatusBadge = ({ kind, label = kind }: { kind: StatusKind; label?: string }) => (
  <span class={`badge status-${kind.toLowerCase()}`}>
    <StatusIcon kind={kind} size={16} />
    <span>{label}</span>
  </span>
);
