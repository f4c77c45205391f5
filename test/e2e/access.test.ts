import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiAs, type Harness, hasChromium, OPERATOR_TOKEN, startHarness } from './harness.ts';

describe.skipIf(!hasChromium)('access in the browser', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    await apiAs(h)('POST', '/api/schedules', { tenant: 'acme-roofing', every: 180 });
  });
  afterAll(() => h?.close());

  it('shows a viewer no mutation controls, and refuses a forged change from its session', async () => {
    const panel = await h.page({ role: 'viewer', path: '/panel' });
    await panel.waitForSelector('tr[data-tenant="acme-roofing"]');
    await panel.waitForSelector('.viewer-note');
    expect(await panel.$('#create-tenant')).toBeNull();
    // reading the history is all a viewer may do to a schedule
    expect(await panel.$$eval('tr[data-tenant="acme-roofing"] button', (buttons) => buttons.map((b) => b.textContent))).toEqual(['History']);

    const status = await panel.evaluate(() =>
      fetch('/api/schedules/acme-roofing/pause', { method: 'POST', headers: { 'x-ops': '1', 'content-type': 'application/json' }, body: '{"reason":"forged"}' }).then(
        (r) => r.status,
      ),
    );
    expect(status).toBe(403);
    const schedule = await apiAs(h)('GET', '/api/schedules/acme-roofing');
    expect(schedule.body?.paused).toBe(false);

    const dashboard = await h.page({ role: 'viewer', path: '/' });
    await dashboard.waitForSelector('[data-tenant="acme-roofing"]');
    await dashboard.waitForSelector('[data-testid=connection]:has-text("Live")');
  });

  it('asks a browser without a session to sign in, and a pasted token signs it in', async () => {
    const context = await h.browser.newContext();
    const page = await context.newPage();
    await page.goto(`${h.url}/panel`);
    await page.waitForSelector('#signin-token');
    await page.fill('#signin-token', OPERATOR_TOKEN);
    await page.click('.signin button[type=submit]');
    await page.waitForSelector('tr[data-tenant="acme-roofing"]');
    expect(new URL(page.url()).pathname).toBe('/panel');
    expect(await page.$('#signin-token')).toBeNull();
    await page.waitForSelector('#create-tenant');
  });
});
