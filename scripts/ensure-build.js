// Builds the UI when dist/web is missing or older than its sources, so `npm start` serves it.
import { execSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const newest = (dir) =>
  fs.readdirSync(dir, { withFileTypes: true }).reduce((latest, entry) => {
    const full = path.join(dir, entry.name);
    return Math.max(latest, entry.isDirectory() ? newest(full) : fs.statSync(full).mtimeMs);
  }, 0);

const index = 'dist/web/index.html';
const sources = Math.max(newest('src/web'), newest('src/core/domain'));
if (!fs.existsSync(index) || fs.statSync(index).mtimeMs < sources) {
  console.error('Building the UI (vite build)…');
  execSync('npx vite build --logLevel warn', { stdio: 'inherit' });
}
