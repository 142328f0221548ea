/**
 * The attribution check against the wrong attributions a curator (or an
 * adversary) could make: each must be refused with its real reason first, and
 * every single wrong change of every quote — the mutation test — is tried
 * through the same per-quote checks the loader runs.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadCorpus, quoteChecker } from '../../src/corpus/load.js';
import { describeMutation, mutationsOf, runMutations } from '../../src/corpus/mutations.js';

const DATA = fileURLToPath(new URL('../../data', import.meta.url));
const HOLES = fileURLToPath(new URL('../fixtures/mutation-holes.json', import.meta.url));
const LR = path.join('sources', 'lenins-revenge');
const NOTES = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
const KINDS = ['interview', 'report', 'letter', 'meeting', 'leaflet', 'manifesto', 'banner'];

type Entry = { id: string; speaker: string; facets: Record<string, unknown>; source: string; note: number; [key: string]: unknown };

const checker = quoteChecker(DATA, 'lenins-revenge');

/** What the loader's per-quote checks say of one quote edited, as [id, reason] (fast: nothing is reloaded). */
function refusal(_t: TestContext, id: string, edit: (e: Entry) => void): [string | null, string][] {
  const e = structuredClone(checker.entries.find((q) => (q as Entry).id === id)) as Entry | undefined;
  assert.ok(e, id);
  edit(e);
  return checker.check(e).map((reason) => [id, reason]);
}

/** Every problem the loader reports for a copy of data/ with one quote edited, as [id, reason]. */
function fullRefusal(t: TestContext, id: string, edit: (e: Entry) => void): [string | null, string][] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hv-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.cpSync(DATA, dir, { recursive: true });
  const file = path.join(dir, LR, 'quotes.json');
  const quotes = JSON.parse(fs.readFileSync(file, 'utf8')) as Entry[];
  const e = quotes.find((q) => q.id === id);
  assert.ok(e, id);
  edit(e);
  fs.writeFileSync(file, JSON.stringify(quotes));
  const result = loadCorpus(dir);
  if (result.ok) assert.fail(`the changed ${id} was accepted`);
  return result.problems.map((p) => [p.id, p.reason]);
}

describe('wrong attributions, refused with their real reason first', () => {
  it('a restrictive relative clause is what the narration says of its noun: its words in order, the noun before them', (t) => {
    // "One respondent’s relatives had fought for the Whites during the Civil War": the war fought no one.
    assert.deepEqual(
      refusal(t, 'lr-084', (e) => {
        e.speaker = e.speaker.replace('of relatives who', 'of war who');
      }),
      [['lr-084', 'speaker "one respondent, of war who had fought for the Whites but supported Lenin\'s regime during the NEP": the source does not say that the war had fought']],
    );
    assert.deepEqual(
      refusal(t, 'lr-084', (e) => {
        e.speaker = e.speaker.replace('had fought', 'had war');
      }),
      [['lr-084', 'speaker "one respondent, of relatives who had war for the Whites but supported Lenin\'s regime during the NEP": the source does not say "had war for whites" of this quote\'s speaker']],
    );
    // "…so he traveled to Moscow, complained personally to Lenin": to Moscow is where he went, not whom he complained to.
    assert.deepEqual(
      refusal(t, 'lr-089', (e) => {
        e.speaker = e.speaker.replace('to Lenin', 'to Moscow');
      }),
      [['lr-089', 'speaker "another emigre, of his peasant friend who complained personally to Moscow": the source does not say "complained personally to moscow" of this quote\'s speaker']],
    );
  });

  it('a place fronted in a sentence ("In Smolensk, a … document reported") is not lent to a speaker outside it', (t) => {
    assert.deepEqual(
      refusal(t, 'lr-103', (e) => {
        e.speaker = e.speaker.replace('in Roslavl', 'in Smolensk');
      }),
      [['lr-103', 'speaker "some workers in Smolensk, on the dekulakization deportations of March 1931": the source does not say "in smolensk" of this quote\'s speaker']],
    );
  });

  it('refuses "a Ukrainian man" (male) for the essay\'s "Ukrainian woman": whole words, and the gender must agree', (t) => {
    assert.deepEqual(
      fullRefusal(t, 'lr-003', (e) => {
        assert.equal(e.speaker, 'a Ukrainian woman');
        e.speaker = 'a Ukrainian man';
        e.facets = { ...e.facets, gender: 'male' };
      }),
      [['lr-003', 'speaker "a Ukrainian man": "man" is not what the source says of this quote\'s speaker (the narration says "woman")']],
    );
  });

  it('refuses "a Ukrainian man" with gender left female: the description and the facet disagree', (t) => {
    assert.deepEqual(
      refusal(t, 'lr-003', (e) => {
        e.speaker = 'a Ukrainian man';
      }),
      [
        ['lr-003', 'speaker "a Ukrainian man": "man" is not what the source says of this quote\'s speaker (the narration says "woman")'],
        ['lr-003', 'facet gender "female" disagrees with the speaker\'s description, which says "man"'],
      ],
    );
  });

  it('refuses a meeting turned into a letter (lr-111)', (t) => {
    assert.deepEqual(
      refusal(t, 'lr-111', (e) => {
        assert.equal(e.source, 'meeting');
        e.source = 'letter';
      }),
      [['lr-111', 'source "letter" is not what the essay says of this quote: its narration says "meeting"']],
    );
  });

  it('refuses a leaflet turned into a manifesto (lr-113), though its describedWith names a meeting', (t) => {
    assert.deepEqual(
      refusal(t, 'lr-113', (e) => {
        assert.equal(e.source, 'leaflet');
        e.source = 'manifesto';
      }),
      [['lr-113', 'source "manifesto" is not what the essay says of this quote: its narration says "leaflet"']],
    );
  });

  it('refuses an interview turned into a report (lr-011) for its kind, not for the note that follows from it', (t) => {
    const problems = fullRefusal(t, 'lr-011', (e) => {
      e.source = 'report';
    });
    assert.equal(problems.length, 1, problems.join('\n'));
    assert.match(problems[0]?.[1] ?? '', /^source "report" is not what the essay says of this quote: its narration names no kind of source, and source.json kindDecisions gives paragraphs 11–28 the kind "interview"/);
  });

  it('refuses a wrong note on lr-111 with the note alone: the quotes described with it are not side effects', (t) => {
    assert.deepEqual(
      fullRefusal(t, 'lr-111', (e) => {
        e.note = 9;
      }),
      [['lr-111', 'note is 9, but the next marker after it is ^[8]']],
    );
  });

  it('refuses a gender the description does not state and no genderFrom quotes (lr-030, "a young nurse")', (t) => {
    assert.deepEqual(
      refusal(t, 'lr-030', (e) => {
        e.facets = { ...e.facets, gender: 'male' };
      }),
      [['lr-030', 'facet gender "male" is not stated by the speaker\'s description: quote the narration\'s words that state it in genderFrom (such as "said that he had heard")']],
    );
  });

  it('refuses a gender that its genderFrom contradicts (lr-079, "recounted her version")', (t) => {
    assert.deepEqual(
      refusal(t, 'lr-079', (e) => {
        e.facets = { ...e.facets, gender: 'male' };
      }),
      [['lr-079', 'facet gender "male" is not what the source says of this quote\'s speaker: genderFrom "recounted her version" says "her"']],
    );
  });

  it('refuses a genderFrom that is not the narration\'s (a quoted word does not count)', (t) => {
    assert.deepEqual(
      refusal(t, 'lr-006', (e) => {
        e.genderFrom = 'said that she had heard';
        e.facets = { ...e.facets, gender: 'female' };
      }),
      [['lr-006', 'genderFrom "said that she had heard" is not in what the source says of this quote\'s speaker (outside any quotation)']],
    );
  });

  it('refuses the next speaker\'s words: lr-037 is a young male writer, "another man" is lr-038', (t) => {
    assert.deepEqual(
      refusal(t, 'lr-037', (e) => {
        e.speaker = 'a young man Russian writer';
      }),
      [['lr-037', 'speaker "a young man Russian writer": "man" is not what the source says of this quote\'s speaker']],
    );
  });

  it('refuses "another bookkeeper" where the essay says "Another commented… a bookkeeper had": the head stands together', (t) => {
    assert.deepEqual(
      refusal(t, 'lr-094', (e) => {
        e.speaker = 'another bookkeeper';
      }),
      [['lr-094', 'speaker "another bookkeeper": the source does not say "another bookkeeper" of this quote\'s speaker']],
    );
  });

  it('refuses one worker for the essay\'s "workers in Shuia": the same number', (t) => {
    assert.deepEqual(
      refusal(t, 'lr-109', (e) => {
        e.speaker = 'a worker in Shuia';
      }),
      [['lr-109', 'speaker "a worker in Shuia": "worker" is not what the source says of this quote\'s speaker']],
    );
  });

  it('refuses workers\' wives recorded as workers (a possessive does not name the speaker)', (t) => {
    assert.deepEqual(
      refusal(t, 'lr-116', (e) => {
        e.facets = { ...e.facets, occupation: 'worker' };
      }),
      [['lr-116', 'facet occupation "worker" is not in the speaker\'s description "a crowd of a thousand workers\' wives at Odessa\'s “Slobodka” bazaar"']],
    );
  });

  it('refuses an age the description states but the facets do not record', (t) => {
    assert.deepEqual(
      refusal(t, 'lr-002', (e) => {
        e.facets = { occupation: 'engineer' };
      }),
      [['lr-002', 'the speaker\'s description says "50-year-old", but facet age is not set']],
    );
  });
});

describe('the mutation test: every single wrong change of every quote', () => {
  it('uses the loader\'s own checks: every real entry passes them', () => {
    assert.ok(checker.entries.length > 0, 'the checker has entries');
    for (const e of checker.entries) assert.deepEqual(checker.check(e), [], (e as Entry).id);
  });

  it('draws speaker words, genders, ages, nationalities, occupations, kinds and notes from the other quotes', () => {
    const mutations = mutationsOf(checker.entries, NOTES, KINDS);
    const fields = new Set(mutations.map((m) => m.field));
    assert.deepEqual([...fields].sort(), ['age', 'ageGroup', 'gender', 'kind', 'nationality', 'note', 'occupation', 'speaker']);
    const lr003 = mutations.filter((m) => m.id === 'lr-003').map(describeMutation);
    for (const m of ['lr-003 speaker woman → man', 'lr-003 gender female → male', 'lr-003 kind interview → report', 'lr-003 note 2 → 3', 'lr-003 nationality Ukrainian → Russian']) {
      assert.ok(lr003.includes(m), m);
    }
  });

  it('refuses every mutation but the recorded holes, and says how many it tried and caught', () => {
    const report = runMutations(checker, NOTES, KINDS);
    // Each known hole with the reason no sound rule closes it yet.
    const holes = Object.keys(JSON.parse(fs.readFileSync(HOLES, 'utf8')) as Record<string, string>);
    console.log(`mutations: ${report.caught} of ${report.tried} refused; ${report.passed.length} let through (recorded holes: ${holes.length})`);
    for (const [field, c] of report.byField) console.log(`  ${field}: ${c.caught} of ${c.tried}`);
    assert.ok(report.tried > 10000, `${report.tried} mutations`);
    // Every mutation let through is a known hole (words the narration says, rearranged); a new one fails here,
    // and a closed one must be taken off the list so the list only shrinks.
    const passed = report.passed.map(describeMutation);
    assert.deepEqual(passed.filter((m) => !holes.includes(m)), [], 'new mutations let through');
    assert.deepEqual(holes.filter((m) => !passed.includes(m)), [], 'holes now closed: remove them from test/fixtures/mutation-holes.json');
    assert.equal(report.caught + report.passed.length, report.tried);
  });
});
