import { defineConfig } from 'vite';

// The UI lives in src/web and is served by the API server from dist/web.
// `npm run dev` proxies the API so the page talks to a running server.
export default defineConfig({
  root: 'src/web',
  base: '/',
  build: { outDir: '../../dist/web', emptyOutDir: true, target: 'es2022' },
  server: {
    proxy: {
      '/api': { target: `http://127.0.0.1:${process.env.CC_PORT ?? 8787}`, changeOrigin: false },
      '/login': `http://127.0.0.1:${process.env.CC_PORT ?? 8787}`,
    },
  },
});
