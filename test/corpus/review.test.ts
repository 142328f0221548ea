/**
 * `npm run corpus -- review ID`, driven through its input and output streams:
 * accept, edit, a refused edit, exclude, skip, quit, and resume.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, it, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runDraft } from '../../src/corpus/draft/command.js';
import { review, runReviewCommand } from '../../src/corpus/draft/review.js';
import type { ReviewState } from '../../src/corpus/draft/write.js';
import { formatProblem, loadCorpus } from '../../src/corpus/load.js';
import type { RawQuote } from '../../src/corpus/schema.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DATA = path.join(ROOT, 'data');
const TEXT = path.join(ROOT, 'test', 'fixtures', 'draft', 'brackets.txt');

function drafted(t: TestContext): { dataDir: string; folder: string } {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hv-review-'));
  t.after(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  for (const f of ['themes.json', 'source-kinds.json', 'synonyms.json']) fs.copyFileSync(path.join(DATA, f), path.join(dataDir, f));
  assert.equal(runDraft([TEXT, '--id', 'rope-works'], dataDir, () => {}, '2026-01-01'), 0);
  return { dataDir, folder: path.join(dataDir, 'sources', 'rope-works') };
}

/** Runs a review session on these typed lines; returns everything it printed. */
async function session(folder: string, dataDir: string, lines: readonly string[]): Promise<{ text: string; decided: number; left: number }> {
  const input = new PassThrough();
  const output = new PassThrough();
  let text = '';
  output.on('data', (chunk: Buffer) => (text += chunk.toString()));
  input.end(lines.map((l) => `${l}\n`).join(''));
  const result = await review(folder, { input, output }, dataDir);
  return { text, ...result };
}

const read = <T>(folder: string, file: string) => JSON.parse(fs.readFileSync(path.join(folder, file), 'utf8')) as T;

function passesCheck(dataDir: string): void {
  const result = loadCorpus(dataDir);
  if (!result.ok) assert.fail(result.problems.map(formatProblem).join('\n'));
}

describe('review', () => {
  it('shows each proposal, saves every decision, refuses what the check refuses, and resumes', async (t) => {
    const { dataDir, folder } = drafted(t);
    const first = await session(folder, dataDir, [
      // rw-001: edit the speaker (the reviewer leaves out the meeting the drafter placed her at), then accept.
      'e',
      'speaker',
      'a female spinner',
      'a',
      // rw-002: a wrong note is refused and undone; then skip it.
      'e',
      'note',
      '3',
      's',
      // rw-003: exclude with a reason.
      'x',
      'A slogan pinned to a gate, kept for the leaflet that follows.',
      'q',
    ]);
    // What a reviewer sees: the quote, its sentence with the quoted words marked, speaker, note and themes.
    assert.match(first.text, /review: rope-works — \d+ proposals to review \(0 already decided\)/);
    assert.match(first.text, /\[1\/\d+\] rw-001 · paragraph 5 · proposed quote\n {2}“Who set these norms\? Not one of them has ever turned a wheel\.”/);
    assert.match(first.text, / {2}context: {2}At a shift meeting a female spinner asked, "«Who set these norms\? Not one of them has ever turned a wheel\.»"/);
    assert.match(first.text, / {2}speaker: {2}a female spinner at a shift meeting {3}facets: \{"gender":"female","occupation":"spinner"\}/);
    assert.match(first.text, / {2}note: {5}1 — Invented for testing: shift-meeting minutes, works archive/);
    assert.match(first.text, /saved: speaker is now "a female spinner"/);
    assert.match(first.text, /the check refuses this edit, so it is undone:\n {4}quotes\.json \[rw-002\]: note is 3, but the next marker after it is \[2\]/);
    assert.match(first.text, /excluded: rw-003/);
    assert.equal(first.decided, 2);

    const quotes = read<RawQuote[]>(folder, 'quotes.json');
    assert.equal(quotes.find((q) => q.id === 'rw-001')?.speaker, 'a female spinner');
    assert.equal(quotes.find((q) => q.id === 'rw-002')?.note, 2, 'the refused edit was not saved');
    assert.equal(quotes.find((q) => q.id === 'rw-003'), undefined);
    const excluded = read<{ text: string; reason: string }[]>(folder, 'excluded.json');
    assert.deepEqual(excluded.find((e) => e.text.includes('Bread first')), { text: '"Bread first, then plans."', reason: 'A slogan pinned to a gate, kept for the leaflet that follows.' });
    const state = read<ReviewState>(folder, 'review.json');
    const status = (id: string) => state.items.find((i) => i.id === id)?.status;
    assert.deepEqual([status('rw-001'), status('rw-002'), status('rw-003'), status('rw-004')], ['accepted', 'skipped', 'excluded', 'pending']);
    passesCheck(dataDir);

    // Resumed: pending proposals first (rw-004), the skipped one after them; the input ends, and all is saved.
    const second = await session(folder, dataDir, ['a']);
    assert.match(second.text, /review: rope-works — \d+ proposals to review \(2 already decided\)/);
    assert.match(second.text, /\[1\/\d+\] rw-004 · paragraph 7/);
    assert.equal(read<ReviewState>(folder, 'review.json').items.find((i) => i.id === 'rw-004')?.status, 'accepted');
    assert.ok(second.left > 0);
  });

  it('accepts an exclusion the draft set aside, dropping the draft mark from its reason', async (t) => {
    const { dataDir, folder } = drafted(t);
    const state = read<ReviewState>(folder, 'review.json');
    const quoteCount = state.items.filter((i) => i.type === 'quote').length;
    // Skip every quote, then accept the first exclusion and edit the second's reason.
    await session(folder, dataDir, [...Array.from({ length: quoteCount }, () => 's'), 'a', 'e', 'The police label for the strike leaders.']);
    const excluded = read<{ text: string; reason: string }[]>(folder, 'excluded.json');
    assert.equal(excluded[0]?.reason, 'words in quotation marks too short to be an utterance: a label or scare quotes');
    assert.equal(excluded[1]?.reason, 'The police label for the strike leaders.');
    passesCheck(dataDir);
  });

  it('says plainly when there is no such folder', async (t) => {
    const { dataDir } = drafted(t);
    const output = new PassThrough();
    let text = '';
    output.on('data', (c: Buffer) => (text += c.toString()));
    assert.equal(await runReviewCommand(['no-such-work'], dataDir, new PassThrough(), output), 2);
    assert.match(text, /^review: no source folder .*no-such-work \(draft one with npm run corpus -- draft FILE --id no-such-work\)\n$/);
  });
});
