// Status is told by shape as well as colour and word: circle OK, bars PAUSED, triangle ERROR,
// clock stale. Decorative: the word next to it is what screen readers read.
export type StatusKind = 'OK' | 'PAUSED' | 'ERROR' | 'STALE' | 'RUNNING';

export const StatusIcon = ({ kind, size = 24 }: { kind: StatusKind; size?: number }) => (
  <svg class={`icon icon-${kind.toLowerCase()}`} width={size} height={size} viewBox="0 0 24 24" aria-hidden="true" focusable="false">
    {kind === 'OK' && (
      <>
        <circle cx="12" cy="12" r="10" fill="currentColor" />
        <path d="M7 12.5l3.2 3.2L17 9" fill="none" stroke="var(--bg)" stroke-width="2.6" stroke-linecap="round" stroke-linejoin="round" />
      </>
    )}
    {kind === 'PAUSED' && (
      <>
        <rect x="5" y="4" width="5" height="16" rx="1.5" fill="currentColor" />
        <rect x="14" y="4" width="5" height="16" rx="1.5" fill="currentColor" />
      </>
    )}
    {kind === 'ERROR' && (
      <>
        <path d="M12 2.5L23 21.5H1z" fill="currentColor" />
        <rect x="10.8" y="9" width="2.4" height="6.5" rx="1" fill="var(--bg)" />
        <circle cx="12" cy="18.3" r="1.4" fill="var(--bg)" />
      </>
    )}
    {kind === 'STALE' && (
      <>
        <circle cx="12" cy="12" r="9.5" fill="none" stroke="currentColor" stroke-width="3" />
        <path d="M12 6.5V12l3.8 2.6" fill="none" stroke="currentColor" stroke-width="2.6" stroke-linecap="round" />
      </>
    )}
    {kind === 'RUNNING' && (
      <>
        <circle cx="12" cy="12" r="9.5" fill="none" stroke="currentColor" stroke-width="3" />
        <path d="M10 7.5l6 4.5-6 4.5z" fill="currentColor" />
      </>
    )}
  </svg>
);
