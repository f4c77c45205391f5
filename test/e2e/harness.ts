import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { loadConfig } from '../../src/core/config.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { type Running, startServer } from '../../src/serve.ts';
import { ensureBuild } from '../build.ts';
import { startCuttingProxy } from './cutting-proxy.ts';

export const CHROMIUM = '/usr/bin/chromium';
export const hasChromium = fs.existsSync(CHROMIUM);
export const OPERATOR_TOKEN = 'e2e-operator-token-0123456789';
export const VIEWER_TOKEN = 'e2e-viewer-token-0123456789ab';
export const ARTIFACTS = path.resolve('test-artifacts');

export interface Harness {
  running: Running;
  // the proxy's URL: what the browser opens
  url: string;
  proxy: Awaited<ReturnType<typeof startCuttingProxy>>;
  browser: Browser;
  dataDir: string;
  // a page signed in with the given role's token
  page(options?: { role?: 'operator' | 'viewer'; width?: number; height?: number; path?: string; reducedMotion?: 'reduce' | 'no-preference' }): Promise<Page>;
  close(): Promise<void>;
}

export const startHarness = async (options: { seed?: (dataDir: string) => Promise<unknown> } = {}): Promise<Harness> => {
  ensureBuild();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-e2e-'));
  await options.seed?.(dataDir);
  const config = loadConfig({}, { host: '127.0.0.1', port: '0', dataDir, operatorToken: OPERATOR_TOKEN, viewerToken: VIEWER_TOKEN, logLevel: 'error' });
  const running = await startServer(config, silentLogger);
  const proxy = await startCuttingProxy(running.url);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  const pages: Page[] = [];
  return {
    running,
    url: proxy.url,
    proxy,
    browser,
    dataDir,
    async page({ role = 'operator', width = 1280, height = 800, path: at = '/', reducedMotion = 'no-preference' } = {}) {
      const context = await browser.newContext({ viewport: { width, height }, reducedMotion });
      const page = await context.newPage();
      pages.push(page);
      const token = role === 'operator' ? OPERATOR_TOKEN : VIEWER_TOKEN;
      await page.goto(`${proxy.url}/login?token=${token}&next=${encodeURIComponent(at)}`);
      return page;
    },
    async close() {
      await browser.close();
      await proxy.close();
      await running.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
};

// The API as an outside client sees it (bearer token), for arranging a scene.
export const apiAs = (harness: Pick<Harness, 'running'>, token = OPERATOR_TOKEN) => async (method: string, path: string, body?: unknown) => {
  const init: RequestInit = { method, headers: { authorization: `Bearer ${token}`, 'x-ops': '1', 'content-type': 'application/json' } };
  if (body !== undefined) init.body = JSON.stringify(body);
  const response = await fetch(harness.running.url + path, init);
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
};

export const screenshot = async (page: Page, name: string) => {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`) });
};
