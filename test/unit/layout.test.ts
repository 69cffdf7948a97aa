/**
 * The layout's rules, read from the source (README "Layout"): every import runs down the folder order, and no
 * import cycle carries values at run time (type-only imports, written `import type`, are erased).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../helpers/repo-root.js';

/** Top to bottom. A folder may import itself and any folder after it. */
const ORDER = ['cli', 'server', 'admin', 's3', 'auth', 'http', 'storage', 'accounts', 'checksums', 'config', 'fsutil', 'errors'];

interface Edge { from: string; to: string; typeOnly: boolean }

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []);
}

/** Relative imports and re-exports of one file, with whether each is erased at run time. */
function importsOf(file: string, src: string): Edge[] {
  const out: Edge[] = [];
  // Why a regex and not the compiler: static imports are one statement each, and this test must stay cheap.
  const re = /^(?:import|export)(\s+type)?\s[^;]*?from\s+['"](\.[^'"]+)['"]/gms;
  for (const m of src.matchAll(re)) {
    const target = normalize(join(dirname(file), m[2]!)).replace(/\.js$/, '.ts');
    const typeOnly = m[1] !== undefined || /^(?:import|export)\s*\{(?:\s*type\s[^,}]+,?)+\s*\}/.test(m[0]);
    out.push({ from: file, to: target, typeOnly });
  }
  return out;
}

const root = join(repoRoot(), 'src');
const files = sourceFiles(root);
const edges = files.flatMap((f) => importsOf(f, readFileSync(f, 'utf8')));
const folderOf = (f: string): string => relative(root, f).split('/')[0]!;

test('every import runs down the folder order', () => {
  const unknown = [...new Set(files.map(folderOf))].filter((d) => !ORDER.includes(d));
  assert.deepEqual(unknown, [], `folders missing from the order (add them to ORDER and README's Layout): ${unknown}`);
  const upward = edges
    .filter((e) => ORDER.indexOf(folderOf(e.to)) < ORDER.indexOf(folderOf(e.from)))
    .map((e) => `${relative(root, e.from)} -> ${relative(root, e.to)}`);
  assert.deepEqual(upward, []);
});

test('no import cycle carries values at run time', () => {
  const graph = new Map<string, string[]>(files.map((f) => [f, []]));
  for (const e of edges) if (!e.typeOnly && graph.has(e.to)) graph.get(e.from)!.push(e.to);
  // Tarjan's strongly connected components; any component of two or more files is a cycle.
  let index = 0;
  const idx = new Map<string, number>(), low = new Map<string, number>(), stack: string[] = [], on = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index); low.set(v, index); index++; stack.push(v); on.add(v);
    for (const w of graph.get(v)!) {
      if (!idx.has(w)) { visit(w); low.set(v, Math.min(low.get(v)!, low.get(w)!)); }
      else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const comp: string[] = [];
      let w: string;
      do { w = stack.pop()!; on.delete(w); comp.push(relative(root, w)); } while (w !== v);
      if (comp.length > 1) cycles.push(comp);
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  assert.deepEqual(cycles, []);
});

test('the checks see the imports (a sanity check on the parser)', () => {
  assert.ok(files.length > 100, `${files.length} source files`);
  assert.ok(edges.some((e) => folderOf(e.from) === 's3' && folderOf(e.to) === 'errors' && !e.typeOnly));
  assert.ok(edges.some((e) => e.typeOnly));
});
