import { effect } from '@preact/signals';
import { render } from 'preact';
import { createApi } from './api.ts';
import { App } from './components/App.tsx';
import { createFeed } from './feed.ts';
import { createHealth } from './health.ts';
import { startKiosk } from './kiosk.ts';
import type { Models, Page } from './models.ts';
import { createOperations } from './operations.ts';
import { createReplay } from './replay.ts';
import { createSession } from './session.ts';
import { createStore } from './store.ts';
import './styles.css';

const path = location.pathname.replace(/\/+$/, '') || '/';
const page: Page = path === '/panel' ? 'panel' : path === '/replay' ? 'replay' : 'dashboard';
const params = new URLSearchParams(location.search);
const kiosk = params.has('kiosk');
// ?poll=N (seconds) overrides how often to poll while the stream is down
const pollSeconds = Number(params.get('poll'));
const pollMs = pollSeconds >= 1 ? pollSeconds * 1000 : page === 'dashboard' ? 30_000 : 15_000;

// Draw at most once a frame however fast events arrive; a hidden tab needs no frames.
const nextFrame = (publish: () => void) => {
  if (document.visibilityState === 'hidden') setTimeout(publish, 250);
  else requestAnimationFrame(publish);
};

const api = createApi();
const feed = createFeed({ api });
const store = createStore({ api, feed, pollMs, defer: nextFrame });
const session = createSession({ api });
const health = createHealth({ api, everyMs: Math.min(pollMs, 30_000), onSeq: store.noteServerSeq });
const ops = createOperations({ api, store, session });
const models: Models = { api, feed, store, session, health, ops, kiosk };
const replay = page === 'replay' ? createReplay({ api, feed }) : null;

if (kiosk) {
  document.documentElement.classList.add('kiosk');
  const wall = startKiosk({ api });
  // a stream that comes back after a drop may be a restarted, upgraded server: check at once
  let wasLive = false;
  effect(() => {
    const live = store.connection.value === 'live';
    if (live && !wasLive) void wall.check();
    wasLive = live;
  });
}

// Tests and the benchmark read the models from here.
(window as unknown as { __cc: unknown }).__cc = models;

const root = document.getElementById('app')!;
const mount = () => {
  // the "loading…" placeholder of index.html; render() keeps foreign children
  root.textContent = '';
  render(<App models={models} page={page} replay={replay} />, root);
};
// The first meaningful render: the loaded state on screen. bench/ui.ts reads this mark.
const stopWatching = effect(() => {
  if (!store.loaded.value) return;
  requestAnimationFrame(() => performance.mark('cc:first-render'));
  queueMicrotask(() => stopWatching());
});

health.start();
if (replay) {
  mount();
} else {
  mount();
  // the state first (a browser opens few connections at once), then what this session may do
  void store.start().finally(() => session.probe());
}
