import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiAs, type Harness, hasChromium, startHarness } from './harness.ts';

describe.skipIf(!hasChromium)('replay', () => {
  let h: Harness;
  // the scheduler may record runs in between, so the points are looked up, not assumed
  const seqOf: Record<string, number> = {};
  let createdAt = '';
  beforeAll(async () => {
    h = await startHarness();
    const api = apiAs(h);
    createdAt = String((await api('POST', '/api/schedules', { tenant: 'acme-roofing', every: 86_400 })).body?.createdAt);
    await api('POST', '/api/schedules/acme-roofing/pause', { reason: 'CRM maintenance' });
    await api('POST', '/api/schedules/acme-roofing/resume');
    await api('POST', '/api/schedules', { tenant: 'bolt-roofing', every: 86_400 });
    const { body } = await api('GET', '/api/events?after=0&limit=100');
    for (const e of body?.events as { seq: number; type: string; tenant: string }[]) seqOf[`${e.type} ${e.tenant}`] ??= e.seq;
  });
  afterAll(() => h?.close());

  it('shows an earlier state from the slider, and the URL reproduces it', async () => {
    const page = await h.page({ path: '/replay' });
    await page.waitForSelector('[data-testid=replay-asof]:has-text("As of #")');
    // back to the pause with the keyboard: Home is seq 0, then step right to it
    const paused = seqOf['schedule.paused acme-roofing']!;
    await page.focus('#replay-slider');
    await page.keyboard.press('Home');
    for (let i = 0; i < paused; i++) await page.keyboard.press('ArrowRight');
    await page.waitForSelector(`[data-testid=replay-asof]:has-text("As of #${paused} ")`);
    await page.waitForSelector('[data-testid=cursor-event]:has-text("schedule.paused")');
    expect(await page.textContent('[data-testid=replay-schedules]')).toMatch(/acme-roofing.*PAUSED.*CRM maintenance/s);
    expect(await page.textContent('[data-testid=replay-schedules]')).not.toContain('bolt-roofing');
    const url = new URL(page.url());
    expect(url.pathname).toBe('/replay');
    expect(url.searchParams.get('seq')).toBe(String(paused));

    const shared = await h.page({ path: `${url.pathname}${url.search}` });
    await shared.waitForSelector(`[data-testid=replay-asof]:has-text("As of #${paused} ")`);
    expect(await shared.textContent('[data-testid=replay-schedules]')).toMatch(/acme-roofing.*PAUSED/s);
    expect(await shared.inputValue('#replay-slider')).toBe(String(paused));
  });

  it('steps one event at a time and jumps to a time', async () => {
    const paused = seqOf['schedule.paused acme-roofing']!;
    const resumed = seqOf['schedule.resumed acme-roofing']!;
    expect(resumed).toBe(paused + 1);
    const page = await h.page({ path: `/replay?seq=${paused}` });
    await page.waitForSelector(`[data-testid=replay-asof]:has-text("As of #${paused} ")`);
    await page.click('button[aria-label="Step forward one event"]');
    await page.waitForSelector(`[data-testid=cursor-event]:has-text("#${resumed} schedule.resumed")`);
    expect(await page.textContent('[data-testid=replay-schedules]')).toMatch(/acme-roofing.*OK/s);
    await page.click('button[aria-label="Step back one event"]');
    await page.waitForSelector(`[data-testid=cursor-event]:has-text("#${paused} schedule.paused")`);

    await page.fill('#replay-time', createdAt);
    await page.click('button:has-text("Go to time")');
    await page.waitForSelector('[data-testid=cursor-event]:has-text("#1 schedule.created")');
    // history.replaceState reaches Playwright's page.url() a little after the DOM: wait for it
    await page.waitForURL((url) => url.searchParams.get('seq') === '1', { timeout: 5_000 });
    expect(new URL(page.url()).searchParams.get('seq')).toBe('1');
  });
});
