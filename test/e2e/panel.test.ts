import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiAs, type Harness, hasChromium, startHarness } from './harness.ts';

const row = (tenant: string) => `tr[data-tenant="${tenant}"]`;

describe.skipIf(!hasChromium)('control panel actions', () => {
  let h: Harness;
  let api: ReturnType<typeof apiAs>;
  let panel: Page;
  beforeAll(async () => {
    h = await startHarness();
    api = apiAs(h);
    for (const tenant of ['acme-roofing', 'bolt-roofing', 'cedar-roofing']) await api('POST', '/api/schedules', { tenant, every: 180 });
    panel = await h.page({ path: '/panel' });
    await panel.waitForSelector(row('acme-roofing'));
  });
  afterAll(() => h?.close());

  it('pauses with a reason and resumes', async () => {
    await panel.click('button[aria-label="Pause acme-roofing"]');
    await panel.fill('#pause-reason', 'CRM maintenance');
    await panel.fill('#pause-until', '2099-01-01T10:00');
    await panel.click('#pause button[type=submit]');
    await panel.waitForSelector(`${row('acme-roofing')} .status-paused`);
    expect(await panel.textContent(row('acme-roofing'))).toMatch(/CRM maintenance.*resumes in/s);
    const schedule = (await api('GET', '/api/schedules/acme-roofing')).body as { pause: { reason: string; until: string } };
    expect(schedule.pause.reason).toBe('CRM maintenance');
    expect(schedule.pause.until?.startsWith('2099-01-01')).toBe(true);
    const audit = await panel.waitForSelector('.audit-entry.op-paused');
    expect(await audit.textContent()).toMatch(/acme-roofing.*paused.*ui/s);

    await panel.click('button[aria-label="Resume acme-roofing"]');
    await panel.waitForSelector(`${row('acme-roofing')} .status-ok`);
    expect(await panel.textContent(row('acme-roofing'))).not.toContain('CRM maintenance');
  });

  it('runs now', async () => {
    await panel.click('button[aria-label="Run now bolt-roofing"]');
    await panel.waitForSelector('.notice-line:has-text("Run now bolt-roofing: done")');
    await panel.waitForSelector('.audit-entry.op-manual-run');
  });

  it('changes the interval', async () => {
    await panel.click('button[aria-label="Edit interval cedar-roofing"]');
    await panel.selectOption('#edit-preset', '15m');
    await panel.click('#edit button[type=submit]');
    await panel.waitForSelector(`${row('cedar-roofing')}:has-text("every 15m")`);
  });

  it('reverts to an earlier version from the history, after confirmation', async () => {
    await panel.click('button[aria-label="History cedar-roofing"]');
    const dialog = await panel.waitForSelector('#history .version');
    expect(await dialog.textContent()).toBeTruthy();
    const versions = await panel.$$eval('#history .version', (items) => items.map((i) => i.textContent ?? ''));
    expect(versions).toHaveLength(2);
    expect(versions[0]).toMatch(/interval: 3m → 15m/);
    expect(versions[1]).toMatch(/interval: — → 3m/);
    await panel.click('#history button:has-text("Revert to")');
    await panel.click('#history button:has-text("Confirm revert")');
    await panel.waitForSelector(`${row('cedar-roofing')}:has-text("every 3m")`);
    await panel.waitForFunction(() => document.querySelectorAll('#history .version').length === 3);
    await panel.click('#history button:has-text("Close")');
    await panel.waitForSelector('.audit-entry.op-reverted');
  });

  it('deletes only after confirmation', async () => {
    await panel.click('button[aria-label="Delete bolt-roofing"]');
    await panel.click('#confirm button:has-text("Cancel")');
    expect(await panel.$(row('bolt-roofing'))).not.toBeNull();

    await panel.click('button[aria-label="Delete bolt-roofing"]');
    await panel.click('#confirm button:has-text("Delete schedule")');
    await panel.waitForSelector(row('bolt-roofing'), { state: 'detached' });
    expect((await api('GET', '/api/schedules/bolt-roofing')).status).toBe(404);
  });

  it('can be worked with the keyboard alone', async () => {
    await panel.focus('#create-tenant');
    await panel.keyboard.type('Keyboard-Roofing');
    await panel.keyboard.press('Enter');
    await panel.waitForSelector(row('keyboard-roofing'));
    // the pause dialog takes the focus and gives it back when closed with Escape
    await panel.focus('button[aria-label="Pause keyboard-roofing"]');
    await panel.keyboard.press('Enter');
    await panel.waitForSelector('#pause-reason:focus');
    await panel.keyboard.press('Escape');
    await panel.waitForSelector('#pause', { state: 'detached' });
    expect(await panel.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Pause keyboard-roofing');
  });
});
