import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, hasChromium, screenshot, startHarness } from './harness.ts';
import { seedFleet } from './seed.ts';

const SIZES = [
  [1920, 1080],
  [1280, 800],
] as const;

// Every screen at wall and laptop size, with three hours of a believable fleet, saved under
// test-artifacts/ for a person to judge; the assertions check what the wall must get right.
describe.skipIf(!hasChromium)('screens with a seeded fleet', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ seed: (dir) => seedFleet(dir, Date.now()) });
  });
  afterAll(() => h?.close());

  for (const [width, height] of SIZES) {
    it(`puts trouble first on the wall and fits every tenant at ${width}×${height}`, async () => {
      const page = await h.page({ width, height, path: '/?kiosk' });
      await page.waitForSelector('[data-testid=connection]:has-text("Live")');
      await page.waitForSelector('.tile[data-tenant]');
      const order = await page.$$eval('.tile[data-tenant]', (tiles) => tiles.map((t) => `${t.getAttribute('data-status')}${t.classList.contains('tile-stale') ? '+stale' : ''}`));
      expect(order).toHaveLength(12);
      const rank = (s: string) => (s.startsWith('ERROR') ? 0 : s === 'OK+stale' ? 1 : s.startsWith('PAUSED') ? 2 : 3);
      expect(order.map(rank)).toEqual([...order.map(rank)].sort((a, b) => a - b));
      // the live scheduler keeps running the seeded fleet, so the counts are read, not assumed
      const errors = order.filter((s) => s.startsWith('ERROR')).length;
      expect(await page.textContent('.count-error .count-n')).toBe(String(errors));
      // nothing to scroll on the wall, and no chrome
      expect(await page.evaluate(() => document.documentElement.scrollHeight <= window.innerHeight)).toBe(true);
      expect(await page.$('nav')).toBeNull();
      expect(await page.$('.topbar')).toBeNull();
      expect(await page.textContent('[data-testid=summary-line]')).toMatch(/^12 tenants · \d+ OK · 1 paused · \d+ error · \d+ stale — as of \d\d:\d\d:\d\dZ$/);
      expect(await page.textContent('[data-testid=last-audit]')).toMatch(/\d\d:\d\d:\d\dZ • [a-z-]+ • [a-z-]+/);
      await screenshot(page, `dashboard-kiosk-${width}x${height}`);
    });

    it(`shows the control panel and the replay at ${width}×${height}`, async () => {
      const panel = await h.page({ width, height, path: '/panel' });
      await panel.waitForSelector('tr[data-tenant="juniper-homes"] .status-paused');
      await screenshot(panel, `panel-${width}x${height}`);
      const replay = await h.page({ width, height, path: '/replay?seq=200' });
      await replay.waitForSelector('[data-testid=replay-asof]:has-text("As of #200 ")');
      await screenshot(replay, `replay-${width}x${height}`);
    });
  }

  it('shows the dashboard with its chrome, and the history dialog', async () => {
    const page = await h.page({ width: 1920, height: 1080, path: '/' });
    await page.waitForSelector('[data-testid=connection]:has-text("Live")');
    await page.waitForSelector('nav');
    await screenshot(page, 'dashboard-1920x1080');
    const panel = await h.page({ width: 1280, height: 800, path: '/panel' });
    await panel.click('button[aria-label="History acme-roofing"]');
    await panel.waitForSelector('#history .version');
    await screenshot(panel, 'panel-history-1280x800');
  });
});
