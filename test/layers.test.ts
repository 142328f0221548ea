/**
 * Folders import one way: a cycle between two folders of src/ (or commands/)
 * means neither can be understood, tested or replaced without the other.
 * This reads every import of src/ and commands/ and fails on any cycle in
 * the folder graph, naming one import of each step so it can be undone.
 * Files directly in src/ (app.ts, main.ts, config.ts…) count one node each.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { ROOT } from '../src/paths.js';

const SCANNED = ['src', 'commands'];

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return filesUnder(full);
    return /\.ts$/.test(e.name) && !e.name.endsWith('.d.ts') ? [full] : [];
  });
}

/** The layer of a file: its folder under src/ (src/daily/…), a file of src/ itself, or commands. */
export function layerOf(relative: string): string {
  const parts = relative.split(path.sep);
  if (parts[0] === 'src') return parts.length > 2 ? `src/${parts[1]}` : relative;
  return parts[0] ?? relative;
}

/** Every relative import and re-export, static or dynamic, type-only included: types tie layers too. */
export function importsOf(source: string): string[] {
  const out: string[] = [];
  for (const m of source.matchAll(/(?:^|[\s;])(?:import|export)\s[^'"]*?\sfrom\s*['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)|^import\s+['"](\.[^'"]+)['"]/gm)) {
    out.push((m[1] ?? m[2] ?? m[3]) as string);
  }
  return out;
}

type Edge = { from: string; to: string; file: string; spec: string };

function layerGraph(): Map<string, Map<string, Edge>> {
  const graph = new Map<string, Map<string, Edge>>();
  for (const top of SCANNED) {
    for (const file of filesUnder(path.join(ROOT, top))) {
      const rel = path.relative(ROOT, file);
      const from = layerOf(rel);
      for (const spec of importsOf(readFileSync(file, 'utf8'))) {
        const target = path.relative(ROOT, path.resolve(path.dirname(file), spec.replace(/\.js$/, '.ts')));
        if (!SCANNED.includes(target.split(path.sep)[0] ?? '')) continue;
        const to = layerOf(target);
        if (to === from) continue;
        const edges = graph.get(from) ?? new Map<string, Edge>();
        if (!edges.has(to)) edges.set(to, { from, to, file: rel, spec });
        graph.set(from, edges);
      }
    }
  }
  return graph;
}

/** One cycle of the graph as its edges, or null. */
export function findCycle(graph: ReadonlyMap<string, ReadonlyMap<string, Edge>>): Edge[] | null {
  const state = new Map<string, 'open' | 'done'>();
  const stack: Edge[] = [];
  const visit = (node: string): Edge[] | null => {
    state.set(node, 'open');
    for (const edge of graph.get(node)?.values() ?? []) {
      stack.push(edge);
      if (state.get(edge.to) === 'open') return stack.slice(stack.findIndex((e) => e.from === edge.to));
      if (!state.has(edge.to)) {
        const found = visit(edge.to);
        if (found) return found;
      }
      stack.pop();
    }
    state.set(node, 'done');
    return null;
  };
  for (const node of graph.keys()) {
    if (!state.has(node)) {
      const found = visit(node);
      if (found) return found;
    }
  }
  return null;
}

test('the import reader sees static, type-only, re-exported and dynamic imports', () => {
  const source = [
    "import { a } from './a.js';",
    "import type { B } from '../b/b.js';",
    "export { c } from './c.js';",
    "export * from './d.js';",
    "const e = await import('./e.js');",
    "import './f.js';",
    "import { readFileSync } from 'node:fs';",
    "import {\n  g,\n  type H,\n} from '../g.js';",
  ].join('\n');
  assert.deepEqual(importsOf(source).sort(), ['../b/b.js', '../g.js', './a.js', './c.js', './d.js', './e.js', './f.js']);
});

test('the cycle finder finds a cycle through three layers and none in a chain', () => {
  const edge = (from: string, to: string): [string, Edge] => [to, { from, to, file: `${from}/x.ts`, spec: to }];
  const chain = new Map([
    ['a', new Map([edge('a', 'b')])],
    ['b', new Map([edge('b', 'c')])],
  ]);
  assert.equal(findCycle(chain), null);
  const ring = new Map([...chain, ['c', new Map([edge('c', 'a')])]]);
  assert.deepEqual(findCycle(ring)?.map((e) => e.from), ['a', 'b', 'c']);
});

test('the folders of src/ and commands/ import one way: no cycle between them', () => {
  const graph = layerGraph();
  assert.ok(graph.size > 5, 'the scan found the source folders');
  const cycle = findCycle(graph);
  assert.equal(
    cycle && cycle.map((e) => `${e.from} → ${e.to} (${e.file} imports ${e.spec})`).join('\n'),
    null,
    'a cycle between folders: move the shared piece to a module both may import',
  );
});
