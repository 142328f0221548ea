/**
 * Concept groups (data/concepts.json): every source word must be the source's
 * own, as whole words; the real file passes; a missing file means no concepts.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { loadConcepts } from '../../src/corpus/concepts.js';
import { loadCorpusOrThrow } from '../../src/corpus/load.js';
import type { Source } from '../../src/corpus/types.js';

const source = { text: 'The horrors of the concentration camps. “Grab from those who have grabbed,” he said.' } as Source;

function check(concepts: unknown): string[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hv-concepts-'));
  try {
    fs.writeFileSync(path.join(dir, 'concepts.json'), JSON.stringify({ concepts }));
    const problems: string[] = [];
    loadConcepts(dir, [source], (_file, _id, reason) => problems.push(reason));
    return problems;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test('the corpus’s concepts lead only to words its source has', () => {
  const corpus = loadCorpusOrThrow('data');
  assert.ok(corpus.concepts.length >= 10);
  const text = corpus.sources.map((s) => s.text.toLowerCase().replace(/’/g, "'")).join(' ');
  for (const c of corpus.concepts) for (const w of c.source) assert.ok(text.includes(w.toLowerCase()), w);
});

test('a source word the source lacks is refused, naming the concept and the word', () => {
  assert.deepEqual(check([{ reader: ['gulag'], source: ['concentration camps', 'gulag'], why: 'test' }]), [
    'concept 1 (gulag): "gulag" does not occur in any source text; a concept must lead to the source\'s own words',
  ]);
});

test('words match whole, across quote marks and case, never inside another word', () => {
  assert.deepEqual(check([{ reader: ['loot the looters'], source: ['grab from those who have grabbed', 'Concentration Camps'], why: 'test' }]), []);
  assert.equal(check([{ reader: ['camp'], source: ['camp'], why: 'test' }]).length, 1, '"camp" is not in "camps"');
});

test('a reader’s term in two concepts, or a malformed entry, is refused; no file, no concepts', () => {
  assert.equal(check([{ reader: ['x'], source: ['camps'], why: 'a' }, { reader: ['X'], source: ['camps'], why: 'b' }]).length, 1);
  assert.match(check([{ reader: [], source: ['camps'], why: 'a' }])[0] ?? '', /reader/);
  assert.deepEqual(loadConcepts(os.tmpdir() + '/no-such-dir-hv', [source], () => assert.fail('reported')), []);
});
