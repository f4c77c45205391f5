import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

// PowerShell cannot be installed here, so the launcher is parsed with tree-sitter's
// PowerShell grammar (WebAssembly, shipped in @vscode/tree-sitter-wasm; no network).
type Node = { type: string; text: string; hasError: boolean; isMissing: boolean; startPosition: { row: number }; children: Node[] };
type Parser = { parse(source: string): { rootNode: Node } };

const require = createRequire(import.meta.url);
const root = path.resolve(import.meta.dirname, '../..');
const script = fs.readFileSync(path.join(root, 'run-command-center.ps1'), 'utf8');
let parser: Parser;

beforeAll(async () => {
  const ts = require('@vscode/tree-sitter-wasm') as {
    Parser: { init(): Promise<void>; new (): Parser & { setLanguage(l: unknown): void } };
    Language: { load(file: string): Promise<unknown> };
  };
  await ts.Parser.init();
  const language = await ts.Language.load(require.resolve('@vscode/tree-sitter-wasm/wasm/tree-sitter-powershell.wasm'));
  const p = new ts.Parser();
  p.setLanguage(language);
  parser = p;
});

const problems = (node: Node, out: string[] = []): string[] => {
  if (node.type === 'ERROR' || node.isMissing) out.push(`line ${node.startPosition.row + 1}: ${node.isMissing ? 'missing' : 'unexpected'} ${node.text.slice(0, 60)}`);
  for (const child of node.children) if (child.hasError || child.isMissing || child.type === 'ERROR') problems(child, out);
  return out;
};

const all = (node: Node, type: string, out: Node[] = []): Node[] => {
  if (node.type === type) out.push(node);
  for (const child of node.children) all(child, type, out);
  return out;
};

describe('run-command-center.ps1', () => {
  it('parses without a syntax error', () => {
    const tree = parser.parse(script);
    expect(problems(tree.rootNode)).toEqual([]);
    expect(tree.rootNode.hasError).toBe(false);
  });

  it('would fail on a broken script (the check can fail)', () => {
    const broken = script.replace('if ($code -eq 0) {', 'if ($code -eq 0 {');
    expect(parser.parse(broken).rootNode.hasError).toBe(true);
  });

  it('takes -Host (as an alias: $Host is read-only in PowerShell), -Port and -DataDir', () => {
    const params = all(parser.parse(script).rootNode, 'script_parameter').map((p) => p.text);
    expect(params.some((p) => p.includes("[Alias('Host')]") && p.includes('$BindHost'))).toBe(true);
    expect(params.some((p) => p.includes('$Port'))).toBe(true);
    expect(params.some((p) => p.includes('$DataDir'))).toBe(true);
    expect(params.some((p) => /\$Host\b/.test(p.replace("[Alias('Host')]", '')))).toBe(false);
  });

  it('stops a previous instance through the lock-file pid, never by process name', () => {
    expect(script).toContain('bin/command-center.js stop --data-dir $DataDir');
    expect(script).not.toMatch(/Stop-Process|Get-Process|taskkill/i);
  });

  it('checks for Node, builds the UI when missing and starts with the three parameters', () => {
    expect(script).toMatch(/Get-Command node/);
    expect(script).toContain('scripts/ensure-build.js');
    expect(script).toContain('serve --host $BindHost --port $Port --data-dir $DataDir');
    expect(script).toMatch(/-ForegroundColor/);
  });
});

describe('run-command-center.sh', () => {
  it('is valid POSIX shell and calls the same entry', () => {
    execFileSync('sh', ['-n', path.join(root, 'run-command-center.sh')]);
    const sh = fs.readFileSync(path.join(root, 'run-command-center.sh'), 'utf8');
    expect(sh).toContain('bin/command-center.js stop --data-dir "$DATA_DIR"');
    expect(sh).toContain('serve --host "$HOST" --port "$PORT" --data-dir "$DATA_DIR"');
    expect(sh).not.toMatch(/pkill|killall/);
  });
});
