import { Component, type ComponentChildren, type FunctionComponent, h } from 'preact';

// Re-render only when a prop changes by identity. Views keep their identity while unchanged
// (views.ts), so a wall of a thousand tiles redraws only the ones an event touched.
export const memo = <P extends object>(Inner: FunctionComponent<P>) =>
  class Memo extends Component<P> {
    override shouldComponentUpdate(next: P): boolean {
      const prev = this.props as Record<string, unknown>;
      const incoming = next as Record<string, unknown>;
      for (const key in incoming) if (incoming[key] !== prev[key]) return true;
      for (const key in prev) if (!(key in incoming)) return true;
      return false;
    }
    override render(props: P): ComponentChildren {
      return h(Inner, props);
    }
  };
