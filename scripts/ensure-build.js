// Builds the UI (dist/web) and the server bundle (dist/server) when missing or older than
// their sources, so `npm start` serves the UI and runs plain JavaScript.
import { execSync } from 'node:child_process';
import { root, serverFresh, uiFresh } from './build-state.js';

if (!uiFresh()) {
  console.error('Building the UI (vite build)…');
  execSync('npx vite build --logLevel warn', { stdio: 'inherit', cwd: root });
}
if (!serverFresh()) {
  console.error('Building the server (vite build -c vite.server.config.ts)…');
  execSync('npx vite build -c vite.server.config.ts --logLevel warn', { stdio: 'inherit', cwd: root });
}
