import { execSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

let built = false;
const BUILD_LOCK = path.resolve('dist/.build-lock');

// dist/web (the UI the server serves) and dist/server (the bundle npm start runs), built when
// missing or older than their sources. Test files run in parallel processes, and a build
// empties its output directory first, so one process builds at a time (the others then find
// it fresh and skip).
export const ensureBuild = () => {
  if (built) return;
  fs.mkdirSync(path.dirname(BUILD_LOCK), { recursive: true });
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    try {
      fs.mkdirSync(BUILD_LOCK);
      break;
    } catch {
      // a lock left by a killed run is taken over after a minute
      const age = Date.now() - (fs.statSync(BUILD_LOCK, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > 60_000) fs.rmSync(BUILD_LOCK, { recursive: true, force: true });
      else Atomics.wait(pause, 0, 0, 200);
    }
  }
  try {
    execSync('node scripts/ensure-build.js', { stdio: 'inherit' });
  } finally {
    fs.rmSync(BUILD_LOCK, { recursive: true, force: true });
  }
  built = true;
};
