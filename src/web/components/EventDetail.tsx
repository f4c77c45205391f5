import type { Envelope } from '../../core/domain/events.ts';
import { dateTime } from '../format.ts';

// The event at the cursor, in full.
export const EventDetail = ({ event }: { event: Envelope | null }) => (
  <section class="card event-detail" aria-labelledby="event-title">
    <h2 id="event-title">Event at the cursor</h2>
    {event ? (
      <>
        <p class="event-head" data-testid="cursor-event">
          <strong>#{event.seq}</strong> {event.type} · {event.tenant}
        </p>
        <p class="muted">
          {dateTime(event.ts)} · {event.source} · {event.actor}
        </p>
        <pre>{JSON.stringify(event.data, null, 2)}</pre>
      </>
    ) : (
      <p class="muted">The beginning: no event yet.</p>
    )}
  </section>
);
