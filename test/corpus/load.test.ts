/**
 * The corpus loader against the real `data/`, and against copies of it broken
 * in exactly one way each: every refusal must name the file, the quote id and
 * the problem, so a curator can act on it without reading the loader.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CorpusError, formatProblem, loadCorpus, loadCorpusOrThrow } from '../../src/corpus/load.js';
import { normalise } from '../../src/corpus/text.js';
import type { Corpus, CorpusProblem } from '../../src/corpus/types.js';

const DATA = fileURLToPath(new URL('../../data', import.meta.url));
const LR = path.join('sources', 'lenins-revenge');

/** A raw entry of quotes.json, loosely typed: the tests break it on purpose. */
type Entry = { id: string; paragraph: number; note: number; parts: string[]; themes: string[]; [key: string]: unknown };

/** A fresh copy of data/ in a temp dir, removed when the test ends. */
function copyData(t: TestContext): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hv-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.cpSync(DATA, dir, { recursive: true });
  return dir;
}

const quotesFile = (dir: string) => path.join(dir, LR, 'quotes.json');
const sourceFile = (dir: string) => path.join(dir, LR, 'source.json');
const textFile = (dir: string) => path.join(dir, LR, 'source.txt');
const excludedFile = (dir: string) => path.join(dir, LR, 'excluded.json');

function editQuotes(dir: string, edit: (quotes: Entry[]) => void): void {
  const quotes = JSON.parse(fs.readFileSync(quotesFile(dir), 'utf8')) as Entry[];
  edit(quotes);
  fs.writeFileSync(quotesFile(dir), JSON.stringify(quotes, null, 1));
}

function entry(quotes: Entry[], id: string): Entry {
  const e = quotes.find((q) => q.id === id);
  assert.ok(e, `${id} is in quotes.json`);
  return e;
}

/** The problems of a corpus that must be refused, with files made absolute for comparison. */
function problemsOf(dir: string): CorpusProblem[] {
  const result = loadCorpus(dir);
  if (result.ok) assert.fail('the broken corpus loaded without a problem');
  assert.ok(result.problems.length > 0, 'a refused corpus names its problems');
  for (const p of result.problems) assert.equal(p.file, path.relative(process.cwd(), path.resolve(p.file)), 'problem files are relative to the working directory');
  return result.problems.map((p) => ({ ...p, file: path.resolve(p.file) }));
}

function loadsOk(dir: string): Corpus {
  const result = loadCorpus(dir);
  if (!result.ok) assert.fail(`expected the corpus to load, got:\n${result.problems.map(formatProblem).join('\n')}`);
  return result.corpus;
}

describe('the real data/', () => {
  const result = loadCorpus(DATA);
  const corpus = result.ok ? result.corpus : null;

  it('loads with no problems: 127 quotes from one source with 10 notes', () => {
    assert.deepEqual(result.ok ? [] : result.problems.map(formatProblem), []);
    assert.ok(corpus);
    assert.equal(corpus.quotes.length, 127);
    assert.deepEqual(
      corpus.sources.map((s) => [s.id, s.notes.length]),
      [['lenins-revenge', 10]],
    );
    assert.deepEqual(
      corpus.sources[0]?.notes.map((n) => n.n),
      [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
    );
    assert.equal(corpus.themes.length, 14);
    assert.equal(corpus.kinds.length, 7);
  });

  it('has unique ids in id order, none of them retired', () => {
    assert.ok(corpus);
    const ids = corpus.quotes.map((q) => q.id);
    assert.equal(new Set(ids).size, 127);
    assert.deepEqual(ids, [...ids].sort());
    assert.equal(ids[0], 'lr-001');
    assert.equal(ids[ids.length - 1], 'lr-129');
    assert.equal(corpus.byId.size, 127);
    for (const retired of ['lr-041', 'lr-068']) assert.equal(corpus.byId.has(retired), false, retired);
  });

  it('locates every part of every quote in the source, in order, in or after its paragraph', () => {
    assert.ok(corpus);
    const source = corpus.sources[0];
    assert.ok(source);
    for (const q of corpus.quotes) {
      assert.equal(q.location.spans.length, q.parts.length, q.id);
      let previousEnd = 0;
      q.location.spans.forEach(([start, end], i) => {
        assert.ok(start >= previousEnd, `${q.id} part ${i + 1} comes after the previous part`);
        assert.equal(normalise(source.text.slice(start, end)), normalise(q.parts[i] ?? ''), `${q.id} part ${i + 1}`);
        previousEnd = end;
      });
      assert.equal(q.text, q.parts.join(' […] '), q.id);
    }
  });

  it('gives each quote the note the essay gives it', () => {
    assert.ok(corpus);
    const byNote = new Map<number, number>();
    for (const q of corpus.quotes) byNote.set(q.note, (byNote.get(q.note) ?? 0) + 1);
    assert.deepEqual(
      [...byNote.entries()].sort((a, b) => a[0] - b[0]),
      [
        [2, 94],
        [3, 5],
        [4, 2],
        [5, 2],
        [6, 3],
        [7, 3],
        [8, 8],
        [9, 7],
        [10, 3],
      ],
    );
    for (const q of corpus.quotes) if (q.kind === 'interview') assert.equal(q.note, 2, q.id);
  });

  it('is frozen: nothing downstream can edit a quote', () => {
    assert.ok(corpus);
    const q = corpus.quotes[0];
    assert.ok(q);
    assert.ok(Object.isFrozen(corpus.quotes));
    assert.ok(Object.isFrozen(q));
    assert.ok(Object.isFrozen(q.parts));
    assert.throws(() => {
      (q as { speaker: string }).speaker = 'someone else';
    }, TypeError);
  });
});

describe('a copy of data/ broken in one way', () => {
  it('refuses a part changed by one word, naming the quote', (t) => {
    const dir = copyData(t);
    editQuotes(dir, (quotes) => {
      const e = entry(quotes, 'lr-102');
      const part = e.parts[0] ?? '';
      assert.ok(part.includes('nobody met hungry'));
      e.parts[0] = part.replace('nobody met hungry', 'nobody went hungry');
    });
    assert.deepEqual(problemsOf(dir), [
      {
        file: quotesFile(dir),
        id: 'lr-102',
        reason:
          'part 1 is not in the source as written: "I often remember Lenin, how kind he was for us, for the peasants; he took the l…": it does not occur anywhere in the source (only quote-mark style and whitespace may differ)',
      },
    ]);
  });

  it('refuses a part moved to the wrong paragraph, saying where the words really are', (t) => {
    const dir = copyData(t);
    editQuotes(dir, (quotes) => {
      entry(quotes, 'lr-002').paragraph = 12;
    });
    assert.deepEqual(problemsOf(dir), [
      {
        file: quotesFile(dir),
        id: 'lr-002',
        reason:
          'part 1 is not in the source as written: "Lenin created a real miracle. He also changed the currency. In a few months all…": it occurs in the source, but not in paragraph 12 (found at line 25)',
      },
    ]);
  });

  it('refuses a paragraph number past the end of the source', (t) => {
    const dir = copyData(t);
    editQuotes(dir, (quotes) => {
      entry(quotes, 'lr-002').paragraph = 52;
    });
    assert.deepEqual(problemsOf(dir), [{ file: quotesFile(dir), id: 'lr-002', reason: 'paragraph 52 does not exist: the source has 51' }]);
  });

  it('refuses an unknown note (note 11 of 10)', (t) => {
    const dir = copyData(t);
    editQuotes(dir, (quotes) => {
      entry(quotes, 'lr-097').note = 11;
    });
    assert.deepEqual(problemsOf(dir), [{ file: quotesFile(dir), id: 'lr-097', reason: 'unknown note 11: the source has notes 1–10' }]);
  });

  it('refuses a wrong note: the next footnote marker after the quote decides', (t) => {
    const dir = copyData(t);
    editQuotes(dir, (quotes) => {
      const e = entry(quotes, 'lr-097');
      assert.equal(e.note, 3);
      e.note = 4;
    });
    assert.deepEqual(problemsOf(dir), [{ file: quotesFile(dir), id: 'lr-097', reason: 'note is 4, but the next marker after it is ^[3]' }]);
  });

  it('refuses an interview on any note but 2, whatever marker follows it', (t) => {
    const dir = copyData(t);
    editQuotes(dir, (quotes) => {
      entry(quotes, 'lr-002').note = 5;
    });
    assert.deepEqual(problemsOf(dir), [{ file: quotesFile(dir), id: 'lr-002', reason: 'note is 5, but every "interview" quote rests on note 2' }]);
  });

  it('refuses a duplicate id, saying where the first one is', (t) => {
    const dir = copyData(t);
    editQuotes(dir, (quotes) => {
      entry(quotes, 'lr-003').id = 'lr-002';
    });
    assert.deepEqual(problemsOf(dir), [
      { file: quotesFile(dir), id: 'lr-002', reason: `duplicate id: also used in ${path.relative(process.cwd(), quotesFile(dir))}` },
    ]);
  });

  it('refuses a speaker whose age the source does not give (35-year-old → 36-year-old)', (t) => {
    const dir = copyData(t);
    editQuotes(dir, (q) => {
      entry(q, 'lr-020').speaker = 'a 36-year-old Russian journalist and author';
    });
    const reasons = problemsOf(dir).filter((p) => p.id === 'lr-020').map((p) => p.reason);
    assert.deepEqual(reasons, [
      'speaker "a 36-year-old Russian journalist and author": "36-year-old" is not what the source says of this quote\'s speaker',
      'facet age "35-year-old" is not in the speaker\'s description "a 36-year-old Russian journalist and author"',
    ]);
  });

  it('refuses a speaker given a nationality or name from elsewhere in the essay', (t) => {
    const dir = copyData(t);
    editQuotes(dir, (q) => {
      entry(q, 'lr-108').speaker = 'Smirnova, a female worker, at a mass meeting during the Teikovo strike of 1932';
    });
    assert.deepEqual(
      problemsOf(dir).map((p) => [p.id, p.reason]),
      [['lr-108', 'speaker "Smirnova, a female worker, at a mass meeting during the Teikovo strike of 1932": "Smirnova" is not what the source says of this quote\'s speaker']],
    );
  });

  it('refuses two speakers swapped, though both are described in the same paragraph', (t) => {
    const dir = copyData(t);
    editQuotes(dir, (q) => {
      const lawyer = entry(q, 'lr-001');
      const engineer = entry(q, 'lr-002');
      [lawyer.speaker, engineer.speaker] = [engineer.speaker, lawyer.speaker];
      [lawyer.facets, engineer.facets] = [engineer.facets, lawyer.facets];
    });
    assert.deepEqual(
      problemsOf(dir).map((p) => [p.id, p.reason]),
      [
        ['lr-001', 'speaker "a 50-year-old engineer": "50-year-old" is not what the source says of this quote\'s speaker'],
        ['lr-001', 'speaker "a 50-year-old engineer": "engineer" is not what the source says of this quote\'s speaker'],
        ['lr-001', 'facet age "50-year-old" is not what the source says of this quote\'s speaker'],
        ['lr-001', 'facet occupation "engineer" is not what the source says of this quote\'s speaker'],
        ['lr-002', 'speaker "a lawyer": "lawyer" is not what the source says of this quote\'s speaker'],
        ['lr-002', 'facet occupation "lawyer" is not what the source says of this quote\'s speaker'],
      ],
    );
  });

  it('refuses describedWith naming a later quote', (t) => {
    const dir = copyData(t);
    editQuotes(dir, (q) => {
      entry(q, 'lr-019').describedWith = ['lr-020'];
    });
    const reasons = problemsOf(dir).filter((p) => p.id === 'lr-019').map((p) => p.reason);
    assert.ok(reasons.includes('describedWith: lr-020 does not come before this quote'), reasons.join('\n'));
  });

  it('refuses a facet that the speaker description does not state', (t) => {
    const dir = copyData(t);
    editQuotes(dir, (q) => {
      entry(q, 'lr-002').facets = { age: 50, occupation: 'mechanic' };
    });
    assert.deepEqual(
      problemsOf(dir).map((p) => [p.id, p.reason]),
      [['lr-002', 'facet occupation "mechanic" is not in the speaker\'s description "a 50-year-old engineer"']],
    );
  });

  it('refuses an unknown theme', (t) => {
    const dir = copyData(t);
    editQuotes(dir, (quotes) => {
      entry(quotes, 'lr-002').themes.push('economy');
    });
    assert.deepEqual(problemsOf(dir), [
      { file: quotesFile(dir), id: 'lr-002', reason: 'unknown theme "economy" (themes come from data/themes.json)' },
    ]);
  });

  it('refuses a theme listed twice', (t) => {
    const dir = copyData(t);
    editQuotes(dir, (quotes) => {
      entry(quotes, 'lr-002').themes.push('nep');
    });
    assert.deepEqual(problemsOf(dir), [{ file: quotesFile(dir), id: 'lr-002', reason: 'a theme is listed twice' }]);
  });

  it('refuses an unknown source kind', (t) => {
    const dir = copyData(t);
    editQuotes(dir, (quotes) => {
      entry(quotes, 'lr-102').source = 'diary';
    });
    assert.deepEqual(problemsOf(dir), [
      { file: quotesFile(dir), id: 'lr-102', reason: 'unknown source kind "diary" (kinds come from data/source-kinds.json)' },
    ]);
  });

  it('refuses an empty quote: no parts at all', (t) => {
    const dir = copyData(t);
    editQuotes(dir, (quotes) => {
      entry(quotes, 'lr-002').parts = [];
    });
    assert.deepEqual(problemsOf(dir), [{ file: quotesFile(dir), id: 'lr-002', reason: 'empty quote: it has no words' }]);
  });

  it('refuses an empty quote: one blank part', (t) => {
    const dir = copyData(t);
    editQuotes(dir, (quotes) => {
      entry(quotes, 'lr-002').parts = ['  '];
    });
    assert.deepEqual(problemsOf(dir), [
      { file: quotesFile(dir), id: 'lr-002', reason: 'empty quote: it has no words' },
      { file: quotesFile(dir), id: 'lr-002', reason: 'part 1 is empty' },
    ]);
  });

  it('refuses a blank part between real ones', (t) => {
    const dir = copyData(t);
    editQuotes(dir, (quotes) => {
      const e = entry(quotes, 'lr-001');
      e.parts = [e.parts[0] ?? '', ' ', e.parts[1] ?? ''];
    });
    assert.deepEqual(problemsOf(dir), [{ file: quotesFile(dir), id: 'lr-001', reason: 'part 2 is empty' }]);
  });

  it('reports malformed JSON at the line and column where it broke', (t) => {
    const dir = copyData(t);
    const lines = fs.readFileSync(quotesFile(dir), 'utf8').split('\n');
    const at = lines.findIndex((l) => l.startsWith('{"id":"lr-050",'));
    assert.ok(at > 0);
    const broken = (lines[at] ?? '').replace('"paragraph":19,"speaker"', '"paragraph":19 "speaker"');
    assert.notEqual(broken, lines[at]);
    lines[at] = broken;
    fs.writeFileSync(quotesFile(dir), lines.join('\n'));
    // JSON.parse stops at the token after the missing comma: the opening mark of "speaker".
    const line = at + 1;
    const column = broken.indexOf(' "speaker"') + 2;
    assert.deepEqual([line, column], [101, 31]);
    const problems = problemsOf(dir);
    const json = problems.filter((p) => p.reason.startsWith('malformed JSON'));
    assert.equal(json.length, 1);
    assert.equal(json[0]?.file, quotesFile(dir));
    assert.equal(json[0]?.id, null);
    assert.match(json[0]?.reason ?? '', new RegExp(`^malformed JSON: .+ at line ${line}, column ${column}$`));
    assert.doesNotMatch(json[0]?.reason ?? '', /position/, 'the raw offset is translated, not repeated');
  });

  it(
    'reports malformed quotes.json once, without a flood of coverage problems for the quotes it could not read',
    (t) => {
      const dir = copyData(t);
      fs.writeFileSync(quotesFile(dir), fs.readFileSync(quotesFile(dir), 'utf8').replace('"paragraph":19,"speaker"', '"paragraph":19 "speaker"'));
      const problems = problemsOf(dir);
      assert.deepEqual(
        problems.map((p) => p.reason.replace(/: .*$/, '')),
        ['malformed JSON'],
      );
    },
  );

  it(
    'reports a malformed themes.json once, not again as an unknown theme on every quote',
    (t) => {
      const dir = copyData(t);
      fs.writeFileSync(path.join(dir, 'themes.json'), '{');
      assert.deepEqual(
        problemsOf(dir).map((p) => [path.basename(p.file), p.reason]),
        [['themes.json', "malformed JSON: Expected property name or '}' at line 1, column 2"]],
      );
    },
  );

  it('refuses a schema violation: a missing speaker', (t) => {
    const dir = copyData(t);
    editQuotes(dir, (quotes) => {
      delete entry(quotes, 'lr-002').speaker;
    });
    assert.deepEqual(problemsOf(dir), [{ file: quotesFile(dir), id: 'lr-002', reason: 'speaker: Invalid input: expected string, received undefined' }]);
  });

  it('refuses a schema violation: an extra unknown key', (t) => {
    const dir = copyData(t);
    editQuotes(dir, (quotes) => {
      entry(quotes, 'lr-002').century = 20;
    });
    assert.deepEqual(problemsOf(dir), [{ file: quotesFile(dir), id: 'lr-002', reason: 'entry: Unrecognized key: "century"' }]);
  });

  it('refuses a schema violation: an unknown facet', (t) => {
    const dir = copyData(t);
    editQuotes(dir, (quotes) => {
      entry(quotes, 'lr-002').facets = { age: 50, occupation: 'engineer', religion: 'none' };
    });
    assert.deepEqual(problemsOf(dir), [{ file: quotesFile(dir), id: 'lr-002', reason: 'facets: Unrecognized key: "religion"' }]);
  });

  it('refuses a gloss that is not in its part', (t) => {
    const dir = copyData(t);
    editQuotes(dir, (quotes) => {
      const e = entry(quotes, 'lr-019');
      assert.deepEqual(e.glosses, ['(secret police)']);
      e.glosses = ['(political police)'];
    });
    assert.deepEqual(problemsOf(dir), [{ file: quotesFile(dir), id: 'lr-019', reason: 'gloss "(political police)" does not occur in any part' }]);
  });

  it('refuses a quotation mark that no quote or exclusion covers, at its line and column, with context', (t) => {
    const dir = copyData(t);
    const excluded = JSON.parse(fs.readFileSync(excludedFile(dir), 'utf8')) as { text: string }[];
    const kept = excluded.filter((e) => e.text !== 'Slobodka');
    assert.equal(kept.length, excluded.length - 1);
    fs.writeFileSync(excludedFile(dir), JSON.stringify(kept, null, 1));

    // Where the two marks around “Slobodka” are, computed here from the text itself.
    const raw = fs.readFileSync(textFile(dir), 'utf8');
    const open = raw.indexOf('“Slobodka”');
    const close = open + '“Slobodka'.length;
    const where = (offset: number) => {
      const line = raw.slice(0, offset).split('\n').length;
      return `line ${line}, column ${offset - raw.lastIndexOf('\n', offset - 1)}`;
    };
    assert.equal(where(open), 'line 75, column 1399');
    assert.equal(where(close), 'line 75, column 1408');
    assert.deepEqual(problemsOf(dir), [
      {
        file: textFile(dir),
        id: null,
        reason: `line 75, column 1399: a quotation mark that no quote or exclusion covers: "…f a thousand workers’ wives at Odessa’s “Slobodka” bazaar complained about poor-quality fish sold an…"`,
      },
      {
        file: textFile(dir),
        id: null,
        reason: `line 75, column 1408: a quotation mark that no quote or exclusion covers: "…and workers’ wives at Odessa’s “Slobodka” bazaar complained about poor-quality fish sold and agitate…"`,
      },
    ]);
  });

  it('refuses an uncovered quotation when a quote is deleted: its words must be curated or excluded', (t) => {
    const dir = copyData(t);
    editQuotes(dir, (quotes) => {
      quotes.splice(quotes.indexOf(entry(quotes, 'lr-129')), 1);
    });
    const problems = problemsOf(dir);
    assert.deepEqual(
      problems.map((p) => [p.file, p.id, p.reason.slice(0, p.reason.indexOf(':'))]),
      [
        [textFile(dir), null, 'line 81, column 179'],
        [textFile(dir), null, 'line 81, column 334'],
      ],
    );
    assert.ok(problems[0]?.reason.includes('“During the revolution there were thousands'), problems[0]?.reason);
  });

  it('refuses an exclusion whose text is not in the source', (t) => {
    const dir = copyData(t);
    const excluded = JSON.parse(fs.readFileSync(excludedFile(dir), 'utf8')) as { text: string; reason: string }[];
    excluded.push({ text: 'words nobody wrote', reason: 'testing' });
    fs.writeFileSync(excludedFile(dir), JSON.stringify(excluded));
    assert.deepEqual(problemsOf(dir), [{ file: excludedFile(dir), id: null, reason: 'excluded text does not occur in the source: "words nobody wrote"' }]);
  });

  it('refuses a retired id (lr-041) given to other words', (t) => {
    const dir = copyData(t);
    editQuotes(dir, (quotes) => {
      entry(quotes, 'lr-040').id = 'lr-041';
    });
    assert.deepEqual(problemsOf(dir), [
      {
        file: quotesFile(dir),
        id: 'lr-041',
        reason: 'this id was retired (see excluded.json) and must not be reused: published ids never change meaning',
      },
    ]);
  });

  it('refuses a footnote whose text in source.json differs from the source', (t) => {
    const dir = copyData(t);
    const meta = JSON.parse(fs.readFileSync(sourceFile(dir), 'utf8')) as { notes: { n: number; text: string }[] };
    const note = meta.notes[4];
    assert.equal(note?.text, 'Merle Fainsod, *Smolensk Under Soviet Rule*, p. 248.');
    note.text = 'Merle Fainsod, *Smolensk Under Soviet Rule*, p. 249.';
    fs.writeFileSync(sourceFile(dir), JSON.stringify(meta, null, 2));
    assert.deepEqual(problemsOf(dir), [
      { file: sourceFile(dir), id: null, reason: "note 5: text differs from the source's note" },
      // The short form and the archive still say p. 248: they no longer match the note either.
      { file: sourceFile(dir), id: null, reason: 'note 5: short has "248", which the note\'s text does not' },
      { file: sourceFile(dir), id: null, reason: 'note 5: archive has "248", which the note\'s text does not' },
    ]);
  });

  it('refuses a note url that the note does not contain', (t) => {
    const dir = copyData(t);
    const meta = JSON.parse(fs.readFileSync(sourceFile(dir), 'utf8')) as { notes: { n: number; url: string | null }[] };
    const note = meta.notes[0];
    assert.ok(note);
    note.url = 'https://example.org/elsewhere';
    fs.writeFileSync(sourceFile(dir), JSON.stringify(meta, null, 2));
    assert.deepEqual(problemsOf(dir), [{ file: sourceFile(dir), id: null, reason: "note 1: url does not appear in the note's text" }]);
  });

  it("allows quote-mark style and whitespace to differ from the source's", (t) => {
    const dir = copyData(t);
    editQuotes(dir, (quotes) => {
      const apostrophes = entry(quotes, 'lr-006');
      assert.equal(apostrophes.parts[0], "Lenin's five-year plans were not half as bad as Stalin's.");
      apostrophes.parts[0] = 'Lenin’s five-year plans were not half as bad as Stalin’s.';
      const doubles = entry(quotes, 'lr-083');
      doubles.parts[0] = (doubles.parts[0] ?? '').replace('"Lenin is very good"', '“Lenin is very good”');
      const spaces = entry(quotes, 'lr-002');
      spaces.parts[0] = (spaces.parts[0] ?? '').replace('real miracle. He', 'real  miracle.\n He');
    });
    const corpus = loadsOk(dir);
    assert.equal(corpus.byId.get('lr-006')?.parts[0], 'Lenin’s five-year plans were not half as bad as Stalin’s.');
    assert.equal(corpus.quotes.length, 127);
  });

  it('does not allow case to differ: one capitalised word is a misquote', (t) => {
    const dir = copyData(t);
    editQuotes(dir, (quotes) => {
      const e = entry(quotes, 'lr-002');
      e.parts[0] = (e.parts[0] ?? '').replace('real miracle', 'Real miracle');
    });
    assert.deepEqual(problemsOf(dir), [
      {
        file: quotesFile(dir),
        id: 'lr-002',
        reason:
          'part 1 is not in the source as written: "Lenin created a Real miracle. He also changed the currency. In a few months all…": it does not occur anywhere in the source (only quote-mark style and whitespace may differ)',
      },
    ]);
  });

  it('does not allow an ellipsis to be normalised: "..." is not "…"', (t) => {
    const dir = copyData(t);
    editQuotes(dir, (quotes) => {
      const e = entry(quotes, 'lr-010');
      assert.equal(e.parts[0], 'Lenin died, but his work lives on...after he died things became worse.');
      e.parts[0] = 'Lenin died, but his work lives on…after he died things became worse.';
    });
    const problems = problemsOf(dir);
    assert.deepEqual(
      problems.map((p) => [p.id, p.reason.replace(/: ".*$/, '')]),
      [['lr-010', 'part 1 is not in the source as written']],
    );
  });
});

describe('loadCorpusOrThrow', () => {
  it('returns the corpus of the real data/', () => {
    assert.equal(loadCorpusOrThrow(DATA).quotes.length, 127);
  });

  it('throws a CorpusError whose message lists every problem, one a line', (t) => {
    const dir = copyData(t);
    editQuotes(dir, (quotes) => {
      entry(quotes, 'lr-097').note = 11;
      entry(quotes, 'lr-102').source = 'diary';
    });
    const rel = path.relative(process.cwd(), quotesFile(dir));
    assert.throws(
      () => loadCorpusOrThrow(dir),
      (error: unknown) => {
        assert.ok(error instanceof CorpusError);
        assert.equal(error.name, 'CorpusError');
        assert.equal(error.problems.length, 2);
        assert.equal(
          error.message,
          [
            'corpus: 2 problem(s)',
            `${rel} [lr-097]: unknown note 11: the source has notes 1–10`,
            `${rel} [lr-102]: unknown source kind "diary" (kinds come from data/source-kinds.json)`,
          ].join('\n'),
        );
        return true;
      },
    );
  });

  it('formats a problem without an id as "file: reason"', () => {
    assert.equal(formatProblem({ file: 'data/x.json', id: null, reason: 'file is missing' }), 'data/x.json: file is missing');
    assert.equal(formatProblem({ file: 'data/x.json', id: 'lr-001', reason: 'r' }), 'data/x.json [lr-001]: r');
  });
});
