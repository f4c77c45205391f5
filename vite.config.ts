import { defineConfig, type ProxyOptions } from 'vite';

// The UI lives in src/web and is served by the API server from dist/web.
// `npm run dev` proxies the API so the page talks to a running server.
const target = `http://127.0.0.1:${process.env.CC_PORT ?? 8787}`;

// The server refuses foreign Host and Origin headers (DNS-rebinding and CSRF guards), so the
// dev proxy presents the page as if it were served by the API server itself.
const devProxy: ProxyOptions = {
  target,
  changeOrigin: true,
  configure: (proxy) => {
    proxy.on('proxyReq', (req) => {
      if (req.getHeader('origin')) req.setHeader('origin', target);
    });
  },
};

export default defineConfig({
  root: 'src/web',
  base: '/',
  build: {
    outDir: '../../dist/web',
    emptyOutDir: true,
    target: 'es2022',
  },
  server: {
    // anchored patterns: a plain '/api' prefix would also catch the UI's own module /api.ts
    proxy: Object.fromEntries(['^/api(/|$)', '^/login(\\?|$)', '^/logout(\\?|$)'].map((path) => [path, devProxy])),
  },
});
