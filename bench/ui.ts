// npm run bench:ui — the UI's budgets: JavaScript ≤ 60 kB gzip in all, first meaningful render
// ≤ 1 s on loopback, and the NOC dashboard with 1,000 schedules receiving 50 events/s keeping
// the median frame under 16 ms, measured in Debian Chromium. Prints the figures and whether
// each budget holds; exits 1 when one does not.
import { execSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { chromium, type Page } from 'playwright-core';
import type { Unsequenced } from '../src/core/domain/events.ts';
import { loadConfig } from '../src/core/config.ts';
import { silentLogger } from '../src/core/logger.ts';
import { openFileStore } from '../src/core/store/file-store.ts';
import { startServer } from '../src/serve.ts';

const TOKEN = 'bench-operator-token-0123456789';
const TENANTS = 1000;
const EVENTS_PER_SECOND = 50;
const MEASURE_MS = Number(process.env.BENCH_UI_MS ?? 10_000);
const RENDER_REPEATS = 7;
const BUDGET = { jsGzipKb: 60, firstRenderMs: 1000, medianFrameMs: 16 };

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))] ?? Number.NaN;
const progress = (message: string) => process.stderr.write(`… ${message}\n`);
const iso = (ms: number) => new Date(ms).toISOString();

// 1. What the browser downloads.
const measureBundle = () => {
  execSync('npx vite build --logLevel warn', { stdio: 'inherit' });
  const dir = path.resolve('dist/web/assets');
  let raw = 0;
  let gzip = 0;
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.js'))) {
    const bytes = fs.readFileSync(path.join(dir, file));
    raw += bytes.length;
    gzip += zlib.gzipSync(bytes, { level: 9 }).length;
  }
  return { rawKb: raw / 1024, gzipKb: gzip / 1024 };
};

const seed = async (dataDir: string, tenants: number) => {
  const store = await openFileStore({ dataDir, log: silentLogger });
  const now = Date.now();
  const events: Unsequenced[] = [];
  for (let i = 0; i < tenants; i++) {
    const tenant = `tenant-${String(i).padStart(4, '0')}`;
    // a day's interval keeps the live scheduler quiet; the bench brings the load itself
    events.push({ type: 'schedule.created', tenant, data: { spec: { every: 86_400 }, runner: 'demo' }, id: `seed-${i}`, ts: iso(now - 60_000), source: 'api', actor: 'bench' } as Unsequenced);
  }
  for (let i = 0; i < events.length; i += 500) await store.journal.append(events.slice(i, i + 500));
  await store.close();
};

const start = async (tenants: number) => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-bench-ui-'));
  await seed(dataDir, tenants);
  const config = loadConfig({}, { host: '127.0.0.1', port: '0', dataDir, operatorToken: TOKEN, logLevel: 'error' });
  const running = await startServer(config, silentLogger);
  return {
    running,
    close: async () => {
      await running.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
};

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});

const signedInPage = async (url: string, width = 1920, height = 1080): Promise<Page> => {
  const context = await browser.newContext({ viewport: { width, height } });
  const page = await context.newPage();
  await page.goto(`${url}/login?token=${TOKEN}&next=/`);
  await page.waitForFunction(() => performance.getEntriesByName('cc:first-render').length > 0);
  return page;
};

// 2. First meaningful render: navigation start to the loaded state painted (the app marks it).
const measureFirstRender = async (url: string) => {
  const page = await signedInPage(url);
  const samples: number[] = [];
  for (let i = 0; i < RENDER_REPEATS; i++) {
    await page.goto(`${url}/?kiosk`);
    await page.waitForFunction(() => performance.getEntriesByName('cc:first-render').length > 0);
    samples.push(await page.evaluate(() => performance.getEntriesByName('cc:first-render')[0]!.startTime));
  }
  await page.context().close();
  return samples;
};

// Runs in the page. A string, not a function: tsx would add helpers the page does not have.
const FRAME_PROBE = `new Promise((resolve) => {
  const store = window.__cc.store;
  const intervals = [];
  const work = [];
  const seqAtStart = store.state.value.seq;
  let last = 0;
  const end = performance.now() + MEASURE_MS;
  const frame = (t) => {
    if (last) intervals.push(t - last);
    last = t;
    const begun = performance.now();
    setTimeout(() => work.push(performance.now() - begun), 0);
    if (performance.now() < end) requestAnimationFrame(frame);
    else setTimeout(() => resolve({ intervals, work, applied: store.state.value.seq - seqAtStart }), 50);
  };
  requestAnimationFrame(frame);
})`;

// 3. Frames under load. For each animation frame: the interval since the previous one, and the
// main thread's work in it — from the frame's start to the first task after its rendering.
const measureFrames = async (url: string, running: Awaited<ReturnType<typeof start>>['running'], kiosk: boolean) => {
  const page = await signedInPage(url);
  await page.goto(`${url}/${kiosk ? '?kiosk' : ''}`);
  await page.waitForFunction(() => performance.getEntriesByName('cc:first-render').length > 0);
  await page.waitForSelector('[data-testid=connection]:has-text("Live")');
  const tiles = await page.$$eval('.tile[data-tenant]', (t) => t.length);

  let n = 0;
  const open = new Map<string, string>();
  const timer = setInterval(() => {
    const i = n++;
    const tenant = `tenant-${String((i * 7919) % TENANTS).padStart(4, '0')}`;
    const runId = open.get(tenant);
    const base = { tenant, id: `bench-${i}`, ts: iso(Date.now()), source: 'api', actor: 'bench' };
    let event: Unsequenced;
    if (runId) {
      open.delete(tenant);
      event = (i % 10 === 0
        ? { ...base, type: 'run.failed', data: { runId, durationMs: 1200, error: 'import worker timed out', errorClass: 'timeout', attempt: 1, willRetry: false } }
        : { ...base, type: 'run.succeeded', data: { runId, durationMs: 1200, result: { imported: 42 } } }) as Unsequenced;
    } else {
      const id = `run-${i}`;
      open.set(tenant, id);
      event = { ...base, type: 'run.started', data: { runId: id, trigger: 'manual', scheduledFor: base.ts, attempt: 1 } } as Unsequenced;
    }
    void running.store.journal.append([event]);
  }, 1000 / EVENTS_PER_SECOND);

  const frames = (await page.evaluate(FRAME_PROBE.replace('MEASURE_MS', String(MEASURE_MS)))) as { intervals: number[]; work: number[]; applied: number };
  clearInterval(timer);
  await page.context().close();
  return { ...frames, tiles, sent: n };
};

progress('building the UI');
const bundle = measureBundle();

progress('first meaningful render (12 tenants, then 1,000)');
const small = await start(12);
const firstSmall = await measureFirstRender(small.running.url);
await small.close();
const big = await start(TENANTS);
const firstBig = await measureFirstRender(big.running.url);

progress(`frames: ${TENANTS} schedules, ${EVENTS_PER_SECOND} events/s for ${MEASURE_MS / 1000} s (kiosk wall)`);
const wall = await measureFrames(big.running.url, big.running, true);
progress(`frames: ${TENANTS} schedules, ${EVENTS_PER_SECOND} events/s for ${MEASURE_MS / 1000} s (dashboard with its chrome)`);
const all = await measureFrames(big.running.url, big.running, false);
await big.close();
const chromiumVersion = browser.version();
await browser.close();

const ms = (n: number) => `${n.toFixed(1)} ms`;
const verdict = (ok: boolean) => (ok ? 'within budget' : 'OVER BUDGET');
const frameLine = (label: string, f: typeof wall) =>
  `${label}: ${f.tiles} tiles drawn, ${f.applied} events applied (${f.sent} appended by the bench, any others by the demo scheduler); frame work median ${ms(median(f.work))}, p95 ${ms(quantile(f.work, 0.95))}, max ${ms(Math.max(...f.work))}; ` +
  `frame interval median ${ms(median(f.intervals))}, frames over 20 ms: ${f.intervals.filter((x) => x > 20).length} of ${f.intervals.length}`;

const results = [
  `JavaScript: ${bundle.gzipKb.toFixed(1)} kB gzip (${bundle.rawKb.toFixed(1)} kB raw) — budget ${BUDGET.jsGzipKb} kB: ${verdict(bundle.gzipKb <= BUDGET.jsGzipKb)}`,
  `First meaningful render, 12 tenants: median ${ms(median(firstSmall))} (of ${firstSmall.map((x) => x.toFixed(0)).join(', ')}) — budget ${BUDGET.firstRenderMs} ms: ${verdict(median(firstSmall) <= BUDGET.firstRenderMs)}`,
  `First meaningful render, ${TENANTS} tenants: median ${ms(median(firstBig))} (of ${firstBig.map((x) => x.toFixed(0)).join(', ')}) — budget ${BUDGET.firstRenderMs} ms: ${verdict(median(firstBig) <= BUDGET.firstRenderMs)}`,
  `${frameLine('Dashboard, kiosk wall', wall)} — budget median < ${BUDGET.medianFrameMs} ms: ${verdict(median(wall.work) < BUDGET.medianFrameMs)}`,
  `${frameLine('Dashboard with its chrome', all)} — budget median < ${BUDGET.medianFrameMs} ms: ${verdict(median(all.work) < BUDGET.medianFrameMs)}`,
];
process.stdout.write(`\nUI budgets (Chromium ${chromiumVersion}, ${os.cpus().length} CPUs, load average ${os.loadavg()[0]!.toFixed(1)})\n`);
for (const line of results) process.stdout.write(`  ${line}\n`);
const failed =
  bundle.gzipKb > BUDGET.jsGzipKb ||
  median(firstSmall) > BUDGET.firstRenderMs ||
  median(firstBig) > BUDGET.firstRenderMs ||
  median(wall.work) >= BUDGET.medianFrameMs ||
  median(all.work) >= BUDGET.medianFrameMs;
process.exit(failed ? 1 : 0);
