import { beforeEach, describe, expect, it } from 'vitest';
import { type Harness, makeApp } from './harness.ts';

let h: Harness;
beforeEach(() => {
  h = makeApp();
});

const problem = async (res: Response) => {
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  const body = (await res.json()) as { type: string; title: string; status: number; detail: string };
  expect(body.status).toBe(res.status);
  expect(typeof body.title).toBe('string');
  return body;
};

describe('errors are problem+json', () => {
  it('answers an unknown route with 404', async () => {
    const res = await h.request('GET', '/api/nothing-here', { as: 'viewer' });
    expect(res.status).toBe(404);
    await problem(res);
    expect((await h.request('GET', '/nothing', { as: null })).status).toBe(404);
  });

  it('answers a wrong method with 405 and an Allow header', async () => {
    const res = await h.request('PUT', '/api/schedules/acme', { body: {} });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD, PATCH, DELETE');
    await problem(res);
    const post = await h.request('POST', '/api/summary');
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });

  it('refuses a body over 64 kB from its Content-Length, before reading it', async () => {
    const res = await h.request('POST', '/api/schedules', { body: '{}', headers: { 'content-length': String(64 * 1024 + 1) } });
    expect(res.status).toBe(413);
    await problem(res);
  });

  it('refuses a body over 64 kB that arrives without a Content-Length', async () => {
    const big = JSON.stringify({ tenant: 'acme', every: 60, pad: 'x'.repeat(70_000) });
    const stream = new ReadableStream({
      start(c) {
        c.enqueue(new TextEncoder().encode(big));
        c.close();
      },
    });
    const res = await h.app.request('http://localhost/api/schedules', {
      method: 'POST',
      headers: { host: 'localhost', authorization: 'Bearer operator-token-0123456789', 'x-ops': '1', 'content-type': 'application/json' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(h.store.journal.lastSeq).toBe(0);
  });

  it('refuses a body that is not JSON with 415, and broken JSON with 400', async () => {
    const res = await h.request('POST', '/api/schedules', { body: 'tenant=acme', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(res.status).toBe(415);
    await problem(res);
    const broken = await h.request('POST', '/api/schedules', { body: '{"tenant":' });
    expect(broken.status).toBe(400);
    expect(await problem(broken)).toMatchObject({ detail: 'the body is not valid JSON' });
  });

  it('never shows an internal detail, even when a store call fails', async () => {
    h.store.journal.read = async () => {
      throw new Error('EIO: /secret/path/000001.jsonl');
    };
    const res = await h.request('GET', '/api/events', { as: 'viewer' });
    expect(res.status).toBe(500);
    const body = await problem(res);
    expect(JSON.stringify(body)).not.toContain('/secret/path');
    expect(h.logs.some((l) => l.msg === 'request failed' && String(l.error).includes('/secret/path'))).toBe(true);
  });
});
