import { Hono } from 'hono';
import type { Env } from './context.ts';
import { OPERATIONS, openApiDocument } from './openapi.ts';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

type Doc = { paths: Record<string, Record<string, { parameters?: Array<{ name: string; in: string; schema: unknown }>; requestBody?: { content: Record<string, { schema: unknown }> }; responses: Record<string, { description: string; content?: Record<string, { schema: unknown }> }> }>> };

const json = (v: unknown) => `<pre>${esc(JSON.stringify(v, null, 2))}</pre>`;

// A readable page built on the server from the same document: no script, no CDN.
const docsPage = (): string => {
  const doc = openApiDocument() as Doc;
  const sections = OPERATIONS.map((op) => {
    const o = doc.paths[op.path]![op.method]!;
    const params = (o.parameters ?? []).map((p) => `<li><code>${esc(p.name)}</code> (${esc(p.in)})</li>`).join('');
    const body = o.requestBody ? `<details><summary>request body</summary>${json(o.requestBody.content['application/json']?.schema)}</details>` : '';
    const responses = Object.entries(o.responses)
      .map(([status, r]) => {
        const schema = r.content ? Object.values(r.content)[0]?.schema : undefined;
        return `<li><b>${esc(status)}</b> ${esc(r.description)}${schema && Number(status) < 300 ? `<details><summary>schema</summary>${json(schema)}</details>` : ''}</li>`;
      })
      .join('');
    return `<section id="${esc(`${op.method}-${op.path}`)}"><h2><span class="m ${op.method}">${op.method.toUpperCase()}</span> <code>${esc(op.path)}</code></h2>
<p>${esc(op.summary)} <span class="role">${op.access === 'open' ? 'no token' : `${op.access}${op.method === 'get' ? '' : ', header x-ops: 1'}`}</span></p>
${params ? `<ul>${params}</ul>` : ''}${body}<ul>${responses}</ul></section>`;
  }).join('\n');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Command Center API</title><style>
body{font:15px/1.5 system-ui,sans-serif;margin:0 auto;max-width:60rem;padding:1rem 2rem;background:#111418;color:#dde3ea}
code,pre{font-family:ui-monospace,monospace}pre{background:#1b2027;padding:.75rem;overflow:auto;font-size:13px}
section{border-top:1px solid #2a313a;padding:.5rem 0}h2{font-size:1.05rem}.m{display:inline-block;min-width:4.5rem;font-size:.8rem;padding:.1rem .4rem;border-radius:3px;background:#2a313a}
.get{background:#1f4b7a}.post{background:#2f6b3a}.patch{background:#7a5a1f}.delete{background:#7a2a2a}.role{color:#9aa7b4;font-size:.85rem}a{color:#8cc4ff}
</style></head><body><h1>Command Center API</h1>
<p>JSON under <code>/api</code>; errors are <code>application/problem+json</code>. Send <code>Authorization: Bearer &lt;token&gt;</code>, or open <code>/login?token=…</code> in a browser. Every change also needs the header <code>x-ops: 1</code>. The machine-readable document: <a href="/api/openapi.json">/api/openapi.json</a>.</p>
${sections}</body></html>`;
};

export const docsRoutes = () => {
  const app = new Hono<Env>();
  let page: string | undefined;
  app.get('/openapi.json', (c) => c.json(openApiDocument()));
  app.get('/docs', (c) => c.html((page ??= docsPage())));
  return app;
};
