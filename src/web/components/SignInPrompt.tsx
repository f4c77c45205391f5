import { useRef } from 'preact/hooks';
import type { Store } from '../store.ts';

// After a 401: paste a token, and the server's /login turns it into a session cookie.
export const SignInPrompt = ({ store }: { store: Store }) => {
  const input = useRef<HTMLInputElement>(null);
  if (!store.signedOut.value) return null;
  const submit = (e: Event) => {
    e.preventDefault();
    const token = input.current?.value.trim();
    if (token) location.assign(`/login?token=${encodeURIComponent(token)}&next=${encodeURIComponent(location.pathname + location.search)}`);
  };
  return (
    <div class="signin-backdrop">
      <form class="signin card" onSubmit={submit} aria-labelledby="signin-title">
        <h2 id="signin-title">Sign in to Command Center</h2>
        <p>The server asks for a token. Paste the operator or viewer token (or open the login link it printed at start).</p>
        <label for="signin-token">Token</label>
        <input id="signin-token" ref={input} type="password" autoComplete="off" required autoFocus />
        <button type="submit" class="primary">Sign in</button>
      </form>
    </div>
  );
};
