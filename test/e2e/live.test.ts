import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiAs, type Harness, hasChromium, screenshot, startHarness } from './harness.ts';

describe.skipIf(!hasChromium)('live updates in the browser', () => {
  let h: Harness;
  let api: ReturnType<typeof apiAs>;
  beforeAll(async () => {
    h = await startHarness();
    api = apiAs(h);
    await api('POST', '/api/schedules', { tenant: 'acme-roofing', every: 180 });
  });
  afterAll(() => h?.close());

  it('shows a schedule created in the panel on a dashboard open in another page, without reload', async () => {
    const dashboard = await h.page({ path: '/' });
    await dashboard.waitForSelector('[data-tenant="acme-roofing"]');
    await dashboard.waitForSelector('[data-testid=connection]:has-text("Live")');
    const panel = await h.page({ path: '/panel' });
    await panel.waitForSelector('#create-tenant');

    // hold the create request so the pending state can be seen
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    await panel.route('**/api/schedules', async (route) => {
      if (route.request().method() === 'POST') await held;
      await route.continue();
    });
    await panel.fill('#create-tenant', '  Zeta-Roofing ');
    expect(await panel.inputValue('#create-tenant')).toBe('zeta-roofing');
    await panel.selectOption('#create-preset', '5m');
    await panel.click('button[type=submit]');
    await panel.waitForSelector('button[type=submit]:disabled:has-text("Creating…")');
    release();
    await panel.waitForSelector('.done:has-text("Created zeta-roofing")');
    await dashboard.waitForSelector('[data-tenant="zeta-roofing"]', { timeout: 1000 });
    expect(await dashboard.textContent('[data-testid=summary-line]')).toContain('2 tenants');
    // the dashboard was never reloaded: the same document is still there
    expect(await dashboard.evaluate(() => performance.getEntriesByType('navigation').length)).toBe(1);
  });

  it("shows the server's error beside the field it is about", async () => {
    const panel = await h.page({ path: '/panel' });
    await panel.waitForSelector('#create-tenant');
    await panel.fill('#create-tenant', 'acme-roofing');
    await panel.click('button[type=submit]');
    const error = await panel.waitForSelector('#create-tenant-error');
    expect(await error.textContent()).toMatch(/exist/i);
    expect(await panel.getAttribute('#create-tenant', 'aria-invalid')).toBe('true');
  });

  it('polls when the stream is cut, keeps the data current, and goes back to live when the stream returns', async () => {
    const dashboard = await h.page({ path: '/?poll=1' });
    await dashboard.waitForSelector('[data-testid=connection]:has-text("Live")');
    h.proxy.cut();
    await dashboard.waitForSelector('[data-testid=connection]:has-text("Polling")');
    await api('POST', '/api/schedules', { tenant: 'polled-roofing', every: 60 });
    await dashboard.waitForSelector('[data-tenant="polled-roofing"]');
    expect(await dashboard.textContent('[data-testid=connection]')).toContain('Polling');

    h.proxy.restore();
    await dashboard.waitForSelector('[data-testid=connection]:has-text("Live")');
    await api('POST', '/api/schedules/polled-roofing/pause', { reason: 'after the stream came back' });
    await dashboard.waitForSelector('[data-tenant="polled-roofing"][data-status="PAUSED"]');
  });

  it('marks a tile whose state just changed, and does not animate it under prefers-reduced-motion', async () => {
    const moving = await h.page({ path: '/' });
    const still = await h.page({ path: '/', reducedMotion: 'reduce' });
    for (const page of [moving, still]) await page.waitForSelector('[data-tenant="acme-roofing"][data-status="OK"]');
    await api('POST', '/api/schedules/acme-roofing/pause', { reason: 'motion check' });
    const animation = (page: typeof moving) =>
      page
        .waitForSelector('[data-tenant="acme-roofing"].tile-changed')
        .then(() => page.$eval('[data-tenant="acme-roofing"]', (tile) => getComputedStyle(tile, '::after').animationName));
    expect(await animation(moving)).toBe('changed');
    expect(await animation(still)).toBe('none');
    // nothing else on the wall moves
    expect(await moving.$$eval('*', (all) => all.filter((e) => getComputedStyle(e).animationName !== 'none').length)).toBe(0);
    await moving.waitForSelector('[data-tenant="acme-roofing"]:not(.tile-changed)');
    await api('POST', '/api/schedules/acme-roofing/resume');
  });

  it('reloads a kiosk wall by itself when the server comes back with a new build', async () => {
    const wall = await h.page({ path: '/?kiosk&poll=1' });
    await wall.waitForSelector('[data-testid=connection]:has-text("Live")');
    await wall.evaluate(() => ((window as unknown as { marker: string }).marker = 'old page'));
    // the next index.html names other assets, as an upgraded server's would
    h.proxy.rewriteIndex((html) => html.replace('</head>', '<link rel="stylesheet" href="/assets/upgrade-v2.css"></head>'));
    h.proxy.cut();
    await wall.waitForSelector('[data-testid=connection]:has-text("Polling")');
    h.proxy.restore();
    await wall.waitForFunction(() => (window as unknown as { marker?: string }).marker === undefined);
    await wall.waitForSelector('[data-testid=connection]:has-text("Live")');
    h.proxy.rewriteIndex(null);
  });

  it('dims the whole screen and says how old the data is when the server cannot be reached', async () => {
    const dashboard = await h.page({ path: '/?poll=1', width: 1920, height: 1080 });
    await dashboard.waitForSelector('[data-testid=connection]:has-text("Live")');
    h.proxy.takeDown();
    const overlay = await dashboard.waitForSelector('[data-testid=stale-overlay]');
    expect(await overlay.textContent()).toMatch(/DATA NOT LIVE.*Last update/);
    expect(await dashboard.textContent('[data-testid=connection]')).toContain('Stale');
    await screenshot(dashboard, 'dashboard-stale-1920x1080');
    h.proxy.restore();
    await dashboard.waitForSelector('[data-testid=connection]:has-text("Live")');
    expect(await dashboard.$('[data-testid=stale-overlay]')).toBeNull();
  });
});
