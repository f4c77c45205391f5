import { defineConfig } from 'vite';

// The server as plain JavaScript for `npm start` and the `command-center` command: one ESM
// bundle of src/cli.ts with every package left external (resolved from node_modules at run
// time). Running it with node instead of through tsx saves the loader's worker thread
// (~37 MB RSS) and the on-the-fly transpile at every start. Tests and benchmarks still run
// the TypeScript sources through tsx.
export default defineConfig({
  publicDir: false,
  build: {
    ssr: 'src/cli.ts',
    outDir: 'dist/server',
    emptyOutDir: true,
    target: 'node20',
    sourcemap: true,
    minify: false,
  },
});
