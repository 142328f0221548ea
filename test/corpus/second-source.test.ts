/**
 * The corpus format is open: a second source document (a small, invented
 * reading-group handout in test/fixtures/second-source/) dropped into
 * data/sources/<id>/ loads beside the essay, is searched, cited and checked
 * with the same rules, and the corpus CLI reports on both.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it, test, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createApp } from '../../src/app.js';
import { formatProblem, loadCorpus } from '../../src/corpus/load.js';
import { exportCorpus } from '../../src/corpus/report.js';
import { normalise } from '../../src/corpus/text.js';
import type { Corpus } from '../../src/corpus/types.js';
import { chicagoNote } from '../../src/render/citation.js';
import { noteMessage } from '../../src/render/messages.js';
import { quoteBody } from '../../src/render/quote-text.js';
import { QuoteSearch } from '../../src/search/engine.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DATA = path.join(ROOT, 'data');
const FIXTURE = path.join(ROOT, 'test', 'fixtures', 'second-source');
const RG = path.join('sources', 'reading-group');

function tempDir(t: TestContext): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hv-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** data/ plus the fixture as data/sources/reading-group/. */
function combined(t: TestContext): string {
  const dir = tempDir(t);
  fs.cpSync(DATA, dir, { recursive: true });
  fs.cpSync(FIXTURE, path.join(dir, RG), { recursive: true });
  return dir;
}

function load(dir: string): Corpus {
  const result = loadCorpus(dir);
  if (!result.ok) assert.fail(`expected the corpus to load, got:\n${result.problems.map(formatProblem).join('\n')}`);
  return result.corpus;
}

/** Breaks one word of rg-003 (the leaflet split across two paragraphs). */
function breakLeaflet(dir: string): void {
  const file = path.join(dir, RG, 'quotes.json');
  const text = fs.readFileSync(file, 'utf8');
  assert.ok(text.includes('keep your strength for the winter'));
  fs.writeFileSync(file, text.replace('keep your strength for the winter', 'keep your strength for the spring'));
}

/** The corpus CLI, as `npm run corpus` runs it, outside the test runner's environment. */
function cli(...args: string[]) {
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  return spawnSync(process.execPath, ['--import', 'tsx', 'src/corpus/cli.ts', ...args], { cwd: ROOT, encoding: 'utf8', env });
}

describe('a second source beside the essay', () => {
  it('loads on its own, with only the shared vocabularies of data/', (t) => {
    const dir = tempDir(t);
    for (const f of ['themes.json', 'source-kinds.json', 'synonyms.json']) fs.copyFileSync(path.join(DATA, f), path.join(dir, f));
    fs.cpSync(FIXTURE, path.join(dir, RG), { recursive: true });
    const corpus = load(dir);
    assert.deepEqual(
      corpus.quotes.map((q) => q.id),
      ['rg-001', 'rg-002', 'rg-003', 'rg-004'],
    );
  });

  it('loads with the essay: both sources, every quote, the fixture located word for word', (t) => {
    const corpus = load(combined(t));
    assert.deepEqual(
      corpus.sources.map((s) => [s.id, s.notes.length, corpus.quotes.filter((q) => q.sourceId === s.id).length]),
      [
        ['lenins-revenge', 10, 127],
        ['reading-group', 3, 4],
      ],
    );
    assert.equal(corpus.quotes.length, 131);
    const source = corpus.sourceById.get('reading-group');
    assert.ok(source);
    assert.equal(source.title, 'Voices from a Mill Town (a reading group handout, invented for testing)');
    assert.ok(corpus.quotes.some((x) => x.sourceId === 'reading-group'), 'the second source has quotes');
    for (const q of corpus.quotes.filter((x) => x.sourceId === 'reading-group')) {
      q.location.spans.forEach(([s, e], i) => assert.equal(normalise(source.text.slice(s, e)), normalise(q.parts[i] ?? ''), `${q.id} part ${i + 1}`));
    }
    // The leaflet runs across the handout's blank line: its one span covers both paragraphs.
    const leaflet = corpus.byId.get('rg-003');
    assert.ok(leaflet);
    assert.equal(leaflet.location.paragraph, 6);
    const [start, end] = leaflet.location.spans[0] ?? [0, 0];
    assert.match(source.text.slice(start, end), /shout, and\n\nkeep your strength/);
    // Curly marks in the source, straight ones in quotes.json: allowed.
    assert.ok(source.text.includes('‘the plan is the plan.’'));
    assert.ok(corpus.byId.get('rg-002')?.parts[0]?.includes("'the plan is the plan.'"));
    // Notes: the marker after the quote, or the kind's note for the interview.
    assert.deepEqual(
      ['rg-001', 'rg-002', 'rg-003', 'rg-004'].map((id) => corpus.byId.get(id)?.note),
      [1, 2, 2, 3],
    );
  });

  it('is found by search, even across the paragraph split', (t) => {
    const search = new QuoteSearch(load(combined(t)));
    const samovar = search.search('samovar');
    assert.equal(samovar.mode, 'all');
    assert.deepEqual(
      samovar.hits.map((h) => h.quote.id),
      ['rg-001'],
    );
    assert.equal(search.search('strength winter').hits[0]?.quote.id, 'rg-003');
    assert.equal(search.search('"shout and keep your strength"').hits[0]?.quote.id, 'rg-003');
    assert.deepEqual(
      search.search('', { kind: 'interview', speaker: 'occupation:mechanic', theme: 'party' }).hits.map((h) => h.quote.id),
      ['rg-004'],
    );
  });

  it('is shown and cited with its own note, author, date and link', (t) => {
    const corpus = load(combined(t));
    const weaver = corpus.byId.get('rg-001');
    const mechanic = corpus.byId.get('rg-004');
    assert.ok(weaver && mechanic);
    assert.equal(
      chicagoNote(corpus, weaver),
      'A weaver at the Krasny Tkach mill, letter, in Letters to the mill newspaper, handout appendix A, p. 3, quoted in Test Fixture Reading Group, “Voices from a Mill Town (a reading group handout, invented for testing),” September 15, 2024, https://example.org/reading-group/handout (see its note 1).',
    );
    assert.match(quoteBody(mechanic, corpus.sourceById.get('reading-group')), /^Years later a retired mechanic told the group.s interviewer: “In those years the director \[a weaver himself once\] still ate in the canteen with us\.” He paused\. “Nobody thought that strange\.”$/);
  });

  it(
    "points /source n work:<id> at the note a second source's quote rests on (notes are numbered per work)",
    (t) => {
      const app = createApp({ dataDir: combined(t), random: () => 0 });
      assert.ok(app.corpus.quotes.some((x) => x.sourceId === 'reading-group'), 'the second source has quotes');
      for (const q of app.corpus.quotes.filter((x) => x.sourceId === 'reading-group')) {
        const note = app.corpus.sourceById.get('reading-group')?.notes[q.note - 1];
        assert.equal(noteMessage(app.corpus, q.note, 'reading-group').embeds?.[0]?.description, note?.text, q.id);
        // Without a work, a number means the first work's note, as /source 8 always has.
        assert.equal(noteMessage(app.corpus, q.note).embeds?.[0]?.description, app.corpus.sources[0]?.notes[q.note - 1]?.text);
      }
    },
  );

  it('reports a broken fixture quote with the fixture’s own file path', (t) => {
    const dir = combined(t);
    breakLeaflet(dir);
    const result = loadCorpus(dir);
    assert.equal(result.ok, false);
    assert.deepEqual(
      result.ok ? [] : result.problems.map((p) => ({ ...p, file: path.resolve(p.file) })),
      [
        {
          file: path.join(dir, RG, 'quotes.json'),
          id: 'rg-003',
          reason:
            'part 1 is not in the source as written: "Comrades, the looms do not care who is watching. Work as you can, not as they s…": it does not occur anywhere in the source (only quote-mark style and whitespace may differ)',
        },
      ],
    );
  });

  it("checks the fixture's coverage too: without its exclusion, the echoed “samovar” is uncovered", (t) => {
    const dir = combined(t);
    fs.rmSync(path.join(dir, RG, 'excluded.json'));
    const result = loadCorpus(dir);
    assert.deepEqual(
      result.ok ? [] : result.problems.map((p) => [path.resolve(p.file), p.id, p.reason.slice(0, p.reason.indexOf(': '))]),
      [
        [path.join(dir, RG, 'handout.txt'), null, 'line 17, column 34'],
        [path.join(dir, RG, 'handout.txt'), null, 'line 17, column 42'],
      ],
    );
  });
});

describe('the corpus CLI on the combined corpus', () => {
  it('check: exits 0 and summarises both sources', (t) => {
    const run = cli('check', '--data', combined(t));
    assert.equal(run.stderr, '');
    assert.equal(run.status, 0);
    const lines = run.stdout.split('\n');
    assert.deepEqual(lines.slice(0, 3), [
      'corpus: OK — 131 quotes from 2 source(s), every part verified against its source',
      `  lenins-revenge: "Lenin's Revenge: Early Soviet Hidden Voices" by Phil Gasper, 2024-03-04 — 127 quotes, 10 notes`,
      '  reading-group: "Voices from a Mill Town (a reading group handout, invented for testing)" by Test Fixture Reading Group, 2024-09-15 — 4 quotes, 3 notes',
    ]);
    assert.ok(lines.includes('  interview    95'), 'the interview count includes the fixture’s interview');
  });

  it('check: exits 1 on a broken copy, one "file [id]: reason" line per problem', (t) => {
    const dir = combined(t);
    breakLeaflet(dir);
    const run = cli('check', '--data', dir);
    assert.equal(run.status, 1);
    assert.equal(run.stdout, '');
    assert.equal(
      run.stderr,
      [
        `corpus: 1 problem(s) in ${path.relative(ROOT, dir)}`,
        `  ${path.relative(ROOT, path.join(dir, RG, 'quotes.json'))} [rg-003]: part 1 is not in the source as written: "Comrades, the looms do not care who is watching. Work as you can, not as they s…": it does not occur anywhere in the source (only quote-mark style and whitespace may differ)`,
        '',
      ].join('\n'),
    );
  });

  it('export: prints a JSON array with every quote of both sources', (t) => {
    const dir = combined(t);
    const run = cli('export', '--data', dir);
    assert.equal(run.stderr, '');
    assert.equal(run.status, 0);
    const exported = JSON.parse(run.stdout) as Record<string, unknown>[];
    assert.ok(Array.isArray(exported));
    const corpus = load(dir);
    assert.deepEqual(
      exported.map((e) => e.id),
      corpus.quotes.map((q) => q.id),
    );
    for (const e of exported) {
      const q = corpus.byId.get(String(e.id));
      assert.ok(q, String(e.id));
      assert.deepEqual(
        { id: e.id, text: e.text, parts: e.parts, speaker: e.speaker, note: e.note, source: e.source, themes: e.themes },
        { id: q.id, text: q.parts.join(' […] '), parts: [...q.parts], speaker: q.speaker, note: q.note, source: q.kind, themes: [...q.themes] },
      );
    }
    assert.deepEqual(exported.find((e) => e.id === 'rg-004'), JSON.parse(JSON.stringify(exportCorpus(corpus).find((e) => e.id === 'rg-004'))));
    assert.deepEqual(exported.find((e) => e.id === 'rg-004')?.sourceDocument, {
      id: 'reading-group',
      title: 'Voices from a Mill Town (a reading group handout, invented for testing)',
      author: 'Test Fixture Reading Group',
      date: '2024-09-15',
    });
  });

  it('refuses an unknown command with the usage line and exit code 2', () => {
    const run = cli('verify');
    assert.equal(run.status, 2);
    assert.equal(run.stderr, 'usage: npm run corpus -- check|export [--data DIR] [--mutations] | draft FILE --id ID [--title --author --date --url --compare DIR] | review ID\n');
  });
});

test('a new work never becomes the default: the essay (order 1) stays first, whatever the folder names', (t) => {
  const dir = tempDir(t);
  fs.cpSync(DATA, dir, { recursive: true });
  // A folder that sorts before "lenins-revenge".
  fs.cpSync(FIXTURE, path.join(dir, 'sources', 'a-reading-group'), { recursive: true });
  const corpus = load(dir);
  assert.deepEqual(corpus.sources.map((s) => s.id), ['lenins-revenge', 'reading-group']);
});
