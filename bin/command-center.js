#!/usr/bin/env node
// The package's `command-center` command: runs the server bundle (dist/server/cli.js, built by
// `npm run build` or `npm start`) when it is at least as new as the sources, otherwise the
// TypeScript CLI through tsx, so a stale bundle never runs old code.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { createRequire } from 'node:module';
import { root, serverBundle, serverFresh } from '../scripts/build-state.js';

const entry = serverFresh() ? ['--enable-source-maps', serverBundle] : [createRequire(import.meta.url).resolve('tsx/cli'), path.join(root, 'src/cli.ts')];
const result = spawnSync(process.execPath, [...entry, ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(result.status ?? 1);
