import { describe, expect, it } from 'vitest';
import { createBody, emptyForm, formFromSpec, normalizeSlug, serverErrors, slugProblem, validateCreate } from '../../src/web/schedule-form.ts';

const form = (patch: Partial<ReturnType<typeof emptyForm>>) => ({ ...emptyForm('UTC'), ...patch });

describe('create form', () => {
  it('normalises the slug as typed: trimmed and lowercased, as the server stores it', () => {
    expect(normalizeSlug('  Acme-Roofing ')).toBe('acme-roofing');
    expect(normalizeSlug('ACME')).toBe('acme');
  });

  it('says what is wrong with a slug', () => {
    expect(slugProblem('')).toBe('tenant is required');
    expect(slugProblem('acme roofing')).toMatch(/no spaces/);
    expect(slugProblem('-acme')).toMatch(/starting with a letter or digit/);
    expect(slugProblem('acme_roofing')).toMatch(/letters, digits and dashes/);
    expect(slugProblem('a'.repeat(64))).toMatch(/63/);
    expect(slugProblem('acme-roofing-2')).toBeUndefined();
  });

  it('turns a preset or a custom interval into seconds within the allowed range', () => {
    expect(createBody(form({ tenant: ' Acme ', preset: '15m' }))).toEqual({ tenant: 'acme', every: 900 });
    expect(createBody(form({ tenant: 'acme', preset: 'custom', customAmount: '90', customUnit: 's' }))).toEqual({ tenant: 'acme', every: 90 });
    expect(validateCreate(form({ tenant: 'acme', preset: 'custom', customAmount: '5', customUnit: 's' })).every).toMatch(/at least 10/);
    expect(validateCreate(form({ tenant: 'acme', preset: 'custom', customAmount: '8', customUnit: 'd' })).every).toMatch(/7 days/);
    expect(validateCreate(form({ tenant: 'acme', preset: 'custom', customAmount: 'soon' })).every).toBe('enter a number');
  });

  it('checks a cron expression and its time zone with the domain rules', () => {
    expect(validateCreate(form({ tenant: 'acme', kind: 'cron', cron: '0 */2 * * *', timezone: 'America/Denver' }))).toEqual({});
    expect(validateCreate(form({ tenant: 'acme', kind: 'cron', cron: '0 */2 * *', timezone: 'UTC' })).cron).toMatch(/5 fields/);
    expect(validateCreate(form({ tenant: 'acme', kind: 'cron', cron: '0 2 * * *', timezone: 'Mars/Olympus' })).timezone).toMatch(/time zone/);
    expect(createBody(form({ tenant: 'acme', kind: 'cron', cron: ' 0 2 * * * ', timezone: 'UTC' }))).toEqual({ tenant: 'acme', cron: '0 2 * * *', timezone: 'UTC' });
  });

  it("puts the server's field errors on the form's fields", () => {
    expect(serverErrors({ tenant: 'taken', 'every': 'too small', '(body)': 'nope' })).toEqual({ tenant: 'taken', every: 'too small' });
  });

  it('opens an edit on the matching preset, or on custom in the largest whole unit', () => {
    expect(formFromSpec({ every: 3600 }, emptyForm()).preset).toBe('1h');
    expect(formFromSpec({ every: 7200 }, emptyForm())).toMatchObject({ preset: 'custom', customAmount: '2', customUnit: 'h' });
    expect(formFromSpec({ every: 45 }, emptyForm())).toMatchObject({ preset: 'custom', customAmount: '45', customUnit: 's' });
    expect(formFromSpec({ cron: '0 2 * * *', timezone: 'Europe/Berlin' }, emptyForm())).toMatchObject({ kind: 'cron', cron: '0 2 * * *', timezone: 'Europe/Berlin' });
  });
});
