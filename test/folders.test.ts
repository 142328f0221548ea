/**
 * The top-level folders import one way: src/ (and commands/, the product)
 * imports none of the others; support/ (the Discord stand-in, build(t), the
 * synthetic corpora) imports only the product; test/ and bench/ import the
 * product and support/, never each other. test/layers.test.ts checks the
 * folders inside src/.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { ROOT } from '../src/paths.js';

const MAY_IMPORT: Record<string, readonly string[]> = {
  src: ['src', 'commands'],
  commands: ['src', 'commands'],
  support: ['src', 'commands', 'support'],
  test: ['src', 'commands', 'support', 'test'],
  bench: ['src', 'commands', 'support', 'bench'],
};

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return filesUnder(full);
    return /\.ts$/.test(e.name) && !e.name.endsWith('.d.ts') ? [full] : [];
  });
}

test('top-level folders import one way: src ← support ← test, bench', () => {
  const wrong: string[] = [];
  let imports = 0;
  for (const [top, allowed] of Object.entries(MAY_IMPORT)) {
    for (const file of filesUnder(path.join(ROOT, top))) {
      const source = readFileSync(file, 'utf8');
      for (const m of source.matchAll(/(?:from\s*|import\(\s*|^import\s+)['"](\.[^'"]+)['"]/gm)) {
        imports++;
        const target = path.relative(ROOT, path.resolve(path.dirname(file), m[1] ?? ''));
        const folder = target.split(path.sep)[0] ?? '';
        if (folder in MAY_IMPORT && !allowed.includes(folder)) wrong.push(`${path.relative(ROOT, file)} imports ${m[1]}`);
      }
    }
  }
  assert.ok(imports > 100, `${imports} relative imports read`);
  assert.deepEqual(wrong, []);
});
