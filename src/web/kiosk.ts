import type { Api } from './api.ts';

// A wall display runs for weeks: keep the screen awake, and when the server is upgraded
// (a new build of the UI), reload so the wall never shows an old UI against a new API.

// The build's identity: the hashed asset names index.html refers to.
export const buildFingerprint = (html: string): string =>
  [...new Set(html.match(/\/assets\/[\w.-]+/g) ?? [])].sort().join(' ');

export const currentFingerprint = (doc: Document): string =>
  buildFingerprint([...doc.querySelectorAll('script[src], link[href]')].map((e) => e.getAttribute('src') ?? e.getAttribute('href')).join(' '));

interface WakeLockSentinelLike {
  release(): Promise<void>;
}

const keepAwake = () => {
  const wakeLock = (navigator as Navigator & { wakeLock?: { request(type: 'screen'): Promise<WakeLockSentinelLike> } }).wakeLock;
  if (!wakeLock) return;
  const request = () => {
    if (document.visibilityState === 'visible') wakeLock.request('screen').catch(() => {});
  };
  // the browser drops the lock whenever the page is hidden; take it again on return
  document.addEventListener('visibilitychange', request);
  request();
};

export const startKiosk = ({ api, checkEveryMs = 60_000 }: { api: Api; checkEveryMs?: number }) => {
  keepAwake();
  const mine = currentFingerprint(document);
  const check = async () => {
    try {
      const response = await api.fetch('/', { cache: 'no-store' });
      if (!response.ok) return;
      const theirs = buildFingerprint(await response.text());
      if (mine && theirs && theirs !== mine) location.reload();
    } catch {
      // the server is down or restarting; the next check will tell
    }
  };
  setInterval(() => void check(), checkEveryMs);
  return { check };
};
