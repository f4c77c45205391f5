// Whether the built UI (dist/web) and the server bundle (dist/server) are at least as new as
// their sources; shared by ensure-build.js (`npm start`, the launchers) and bin/command-center.js.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const serverBundle = path.join(root, 'dist/server/cli.js');
const uiIndex = path.join(root, 'dist/web/index.html');

const newest = (dir) =>
  fs.readdirSync(dir, { withFileTypes: true }).reduce((latest, entry) => {
    const full = path.join(dir, entry.name);
    return Math.max(latest, entry.isDirectory() ? newest(full) : fs.statSync(full).mtimeMs);
  }, 0);
const builtAfter = (file, sources) => fs.existsSync(file) && fs.statSync(file).mtimeMs >= sources;

export const uiFresh = () => builtAfter(uiIndex, Math.max(newest(path.join(root, 'src/web')), newest(path.join(root, 'src/core/domain'))));
// the whole of src (the bundle holds everything cli.ts imports) and the lock file (versions of
// the packages it leaves external)
export const serverFresh = () =>
  builtAfter(serverBundle, Math.max(newest(path.join(root, 'src')), fs.statSync(path.join(root, 'package-lock.json')).mtimeMs));
