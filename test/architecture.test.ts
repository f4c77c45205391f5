import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The boundaries of STYLE.md, checked on the source text: a pure domain, a core that knows
// no HTTP or UI framework, and a UI that reuses only the domain.
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SRC = path.join(ROOT, 'src');
const DOMAIN = path.join(SRC, 'core', 'domain');

const sourceFiles = (dir: string): string[] =>
  fs.existsSync(dir)
    ? (fs.readdirSync(dir, { recursive: true }) as string[])
        .filter((f) => /\.(ts|tsx)$/.test(f) && !f.endsWith('.d.ts'))
        .map((f) => path.join(dir, f))
        .sort()
    : [];

// Comments removed, strings kept: a comment that mentions Date.now() is no violation.
const stripComments = (code: string): string => {
  let out = '';
  for (let i = 0; i < code.length; i++) {
    const c = code[i]!;
    if (c === '/' && code[i + 1] === '/') {
      while (i < code.length && code[i] !== '\n') i++;
      out += '\n';
    } else if (c === '/' && code[i + 1] === '*') {
      const end = code.indexOf('*/', i + 2);
      i = end < 0 ? code.length : end + 1;
      out += ' ';
    } else if (c === '"' || c === "'" || c === '`') {
      let j = i + 1;
      while (j < code.length && code[j] !== c) j += code[j] === '\\' ? 2 : 1;
      out += code.slice(i, j + 1);
      i = j;
    } else {
      out += c;
    }
  }
  return out;
};

// Static imports and re-exports start a statement (a line); dynamic ones may sit anywhere.
const IMPORT_PATTERNS = [
  /^\s*import\s+(?:type\s+)?[\w*{}\s,$]*?\s*from\s*['"]([^'"]+)['"]/gm,
  /^\s*import\s*['"]([^'"]+)['"]/gm,
  /^\s*export\s+(?:type\s+)?(?:\*(?:\s+as\s+\w+)?|\{[^}]*\})\s*from\s*['"]([^'"]+)['"]/gm,
  /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  /\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
];

const importsOf = (code: string): string[] => {
  const text = stripComments(code);
  const found = new Set<string>();
  for (const pattern of IMPORT_PATTERNS) for (const m of text.matchAll(pattern)) found.add(m[1]!);
  return [...found];
};

// Ways pure code could read the clock, draw randomness, schedule work or reach the outside.
const IMPURE: [RegExp, string][] = [
  [/\bDate\.now\s*\(/, 'Date.now()'],
  [/\bnew\s+Date\s*\(\s*\)/, 'new Date() (reads the clock)'],
  [/\bMath\.random\s*\(/, 'Math.random()'],
  [/\bperformance\.now\s*\(/, 'performance.now()'],
  [/\b(setTimeout|setInterval|setImmediate|queueMicrotask)\b/, 'timers'],
  [/\bfetch\s*\(/, 'fetch'],
  [/\bprocess\./, 'process.'],
  [/\bcrypto\./, 'crypto.'],
];

const domainViolations = (file: string, code: string): string[] => {
  const problems: string[] = [];
  const text = stripComments(code);
  for (const spec of importsOf(code)) {
    if (spec === 'zod' || spec === 'croner') continue;
    if (spec.startsWith('.')) {
      const target = path.resolve(path.dirname(file), spec);
      if (target.startsWith(DOMAIN + path.sep)) continue;
    }
    problems.push(`imports "${spec}"`);
  }
  for (const [pattern, name] of IMPURE) if (pattern.test(text)) problems.push(`uses ${name}`);
  return problems;
};

const FRAMEWORKS = /^(hono|hono\/.*|@hono\/.*|preact|preact\/.*|@preact\/.*|node:http|node:https|http|https|node:http2)$/;

const coreViolations = (file: string, code: string): string[] =>
  importsOf(code).flatMap((spec) => {
    if (FRAMEWORKS.test(spec)) return [`imports "${spec}"`];
    if (spec.startsWith('.')) {
      const target = path.resolve(path.dirname(file), spec);
      for (const layer of ['http', 'web']) {
        if (target.startsWith(path.join(SRC, layer) + path.sep)) return [`imports "${spec}" from src/${layer}`];
      }
    }
    return [];
  });

const webViolations = (file: string, code: string): string[] =>
  importsOf(code).flatMap((spec) => {
    if (!spec.startsWith('.')) return [];
    const target = path.resolve(path.dirname(file), spec);
    const core = path.join(SRC, 'core') + path.sep;
    if (target.startsWith(core) && !target.startsWith(DOMAIN + path.sep)) return [`imports "${spec}", outside src/core/domain`];
    return [];
  });

const check = (files: string[], rule: (file: string, code: string) => string[]) =>
  files.flatMap((file) => rule(file, fs.readFileSync(file, 'utf8')).map((p) => `${path.relative(ROOT, file)}: ${p}`));

describe('architecture', () => {
  it('keeps src/core/domain pure: only zod, croner and domain files; no clock, randomness, timers, fetch or process', () => {
    const files = sourceFiles(DOMAIN);
    expect(files.length).toBeGreaterThan(5);
    // the scan sees the imports that are there
    expect(files.some((f) => importsOf(fs.readFileSync(f, 'utf8')).includes('zod'))).toBe(true);
    expect(check(files, domainViolations)).toEqual([]);
  });

  it('keeps hono, preact and node:http out of src/core, and src/core independent of src/http and src/web', () => {
    const files = sourceFiles(path.join(SRC, 'core'));
    expect(files.length).toBeGreaterThan(10);
    expect(check(files, coreViolations)).toEqual([]);
  });

  it('lets src/web use src/core/domain but nothing else of src/core', () => {
    expect(check(sourceFiles(path.join(SRC, 'web')), webViolations)).toEqual([]);
  });

  it('keeps zod out of what the UI imports, directly or through the domain (the server validates)', () => {
    const seen = new Set<string>();
    const reachesZod: string[] = [];
    const visit = (file: string, trail: string[]) => {
      if (seen.has(file)) return;
      seen.add(file);
      // type-only imports are erased from the bundle
      const code = fs.readFileSync(file, 'utf8').replace(/^\s*(import|export)\s+type\s[^;]*;/gm, '');
      for (const spec of importsOf(code)) {
        if (spec === 'zod') reachesZod.push([...trail, path.relative(ROOT, file)].join(' → '));
        if (!spec.startsWith('.')) continue;
        const target = path.resolve(path.dirname(file), spec);
        if (fs.existsSync(target)) visit(target, [...trail, path.relative(ROOT, file)]);
      }
    };
    const entry = path.join(SRC, 'web', 'main.tsx');
    visit(entry, []);
    expect(seen.size).toBeGreaterThan(10);
    expect([...seen].some((f) => f.startsWith(DOMAIN))).toBe(true);
    expect(reachesZod).toEqual([]);
  });

  describe('the checks themselves', () => {
    const inDomain = path.join(DOMAIN, 'example.ts');
    const inCore = path.join(SRC, 'core', 'journal', 'example.ts');
    const inWeb = path.join(SRC, 'web', 'components', 'Example.tsx');

    it('catch every form of import', () => {
      const code = [
        "import fs from 'node:fs';",
        "import type { X } from './x.ts';",
        "import {\n  a,\n  b,\n} from 'multi-line';",
        "import 'side-effect';",
        "export { y } from '../y.ts';",
        "export * from 'star';",
        "const lazy = await import('lazy');",
        "const old = require('old');",
        "// import nope from 'commented-out';",
        "const s = \"import fake from 'in-a-string'\";",
      ].join('\n');
      expect(importsOf(code).sort()).toEqual(['../y.ts', './x.ts', 'lazy', 'multi-line', 'node:fs', 'old', 'side-effect', 'star']);
    });

    it('flag impure domain code and pass pure domain code', () => {
      expect(domainViolations(inDomain, "import { z } from 'zod';\nimport { Cron } from 'croner';\nimport { a } from './a.ts';")).toEqual([]);
      expect(domainViolations(inDomain, '// Date.now() is not called here\nconst t = Date.parse(s);')).toEqual([]);
      expect(domainViolations(inDomain, "import fs from 'node:fs';")).toEqual(['imports "node:fs"']);
      expect(domainViolations(inDomain, "import { nanoid } from 'nanoid';")).toEqual(['imports "nanoid"']);
      expect(domainViolations(inDomain, "import { Journal } from '../journal/journal.ts';")).toEqual(['imports "../journal/journal.ts"']);
      for (const [code, problem] of [
        ['const t = Date.now();', 'uses Date.now()'],
        ['const t = new Date();', 'uses new Date() (reads the clock)'],
        ['const r = Math.random();', 'uses Math.random()'],
        ['setTimeout(f, 1);', 'uses timers'],
        ['const h = setInterval(f, 1);', 'uses timers'],
        ["await fetch('http://x');", 'uses fetch'],
        ['const e = process.env.X;', 'uses process.'],
      ]) {
        expect(domainViolations(inDomain, code!)).toEqual([problem]);
      }
      expect(domainViolations(inDomain, 'const d = new Date(ms);')).toEqual([]);
    });

    it('flag frameworks and upward imports in the core', () => {
      expect(coreViolations(inCore, "import { Hono } from 'hono';")).toEqual(['imports "hono"']);
      expect(coreViolations(inCore, "import { streamSSE } from 'hono/streaming';")).toEqual(['imports "hono/streaming"']);
      expect(coreViolations(inCore, "import { h } from 'preact';")).toEqual(['imports "preact"']);
      expect(coreViolations(inCore, "import http from 'node:http';")).toEqual(['imports "node:http"']);
      expect(coreViolations(inCore, "import { createApp } from '../../http/app.ts';")).toEqual(['imports "../../http/app.ts" from src/http']);
      expect(coreViolations(inCore, "import fs from 'node:fs';\nimport { z } from 'zod';\nimport { x } from '../domain/x.ts';")).toEqual([]);
    });

    it('flag the UI reaching into the core beyond the domain', () => {
      expect(webViolations(inWeb, "import { evolve } from '../../core/domain/projection.ts';")).toEqual([]);
      expect(webViolations(inWeb, "import { FileJournal } from '../../core/journal/file-journal.ts';")).toEqual([
        'imports "../../core/journal/file-journal.ts", outside src/core/domain',
      ]);
    });
  });
});
