/**
 * /quote over a data folder with two works (the essay and the reading-group
 * handout of test/fixtures/second-source): the work option, its
 * autocomplete, per-work notes, and paging that stays inside the work.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { commands } from '../../commands/index.js';
import { createApp } from '../../src/app.js';
import { createRotation } from '../../src/daily/rotation.js';
import { parseQuoteButton } from '../../src/interactions/custom-id.js';
import { Dispatcher } from '../../src/interactions/dispatch.js';
import type { OptionValue, Reply } from '../../src/interactions/types.js';
import type { MessagePayload } from '../../src/message/payload.js';
import { dailyPostMessage } from '../../src/render/daily.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hv-works-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));
fs.cpSync(path.join(ROOT, 'data'), dir, { recursive: true });
fs.cpSync(path.join(ROOT, 'test', 'fixtures', 'second-source'), path.join(dir, 'sources', 'reading-group'), { recursive: true });

const app = createApp({ dataDir: dir, random: () => 0 });
const dispatcher = new Dispatcher(commands, app);
const NOW = new Date('2024-03-04T12:00:00Z');
const caller = { userId: '300000000000000001', guildId: '300000000000000010', channelId: '300000000000000011', memberPermissions: null };

function run(options: Record<string, OptionValue>): Promise<Reply> {
  return dispatcher.command({ ...caller, commandName: 'quote', subcommand: null, options, now: NOW });
}

function payload(reply: Reply): MessagePayload {
  assert.ok(reply.type === 'message' || reply.type === 'update', `expected a message, got ${reply.type}`);
  return reply.payload;
}

function footer(p: MessagePayload): string {
  return p.embeds?.[0]?.footer?.text ?? '';
}

function nextId(p: MessagePayload): string {
  const rows = (p.components ?? []) as { components: { label?: string; custom_id?: string }[] }[];
  const next = rows.flatMap((r) => r.components).find((b) => b.label?.includes('Next'));
  assert.ok(next?.custom_id, 'a Next button');
  return next.custom_id;
}

describe('/quote with several works', () => {
  it('the data folder really holds two works', () => {
    assert.deepEqual(
      app.corpus.sources.map((s) => s.id),
      ['lenins-revenge', 'reading-group'],
    );
  });

  it('work: narrows to that work, and each result names its work and cites its own note', async () => {
    const p = payload(await run({ query: 'samovar', work: 'reading-group' }));
    const f = footer(p);
    assert.match(f, /^rg-001 · quoted in Test Fixture Reading Group, “Voices from a Mill Town/);
    assert.match(f, /work reading-group/);
    const note = p.embeds?.[0]?.fields?.find((x) => x.name === 'Note')?.value ?? '';
    assert.equal(note, '[1] Mill newspaper letters, appendix A, p. 3 (`/source 1 work:reading-group`)');
  });

  it('the same words in the essay only: every page stays in that work', async () => {
    let p = payload(await run({ query: 'nep', work: 'lenins-revenge' }));
    const total = Number(/1 of (\d+)/.exec(footer(p))?.[1]);
    assert.ok(total > 1, footer(p));
    for (let i = 1; i < total; i++) {
      const id = nextId(p);
      assert.equal(parseQuoteButton(id)?.action === 'page' && (parseQuoteButton(id) as { state: { filters: { work?: string } } }).state.filters.work, 'lenins-revenge');
      p = payload(await dispatcher.button({ ...caller, customId: id, messageId: null, messageOwnerId: caller.userId, now: NOW }));
      assert.match(footer(p), /^lr-\d{3} · quoted in Phil Gasper/);
    }
  });

  it('a work given by its title works like its id; an unknown work is a polite list of the works', async () => {
    const byTitle = payload(await run({ work: 'Voices from a Mill Town (a reading group handout, invented for testing)' }));
    assert.match(footer(byTitle), /^rg-00\d/);
    const unknown = payload(await run({ query: 'nep', work: 'nope' }));
    assert.ok(unknown.flags, 'ephemeral');
    assert.match(unknown.content ?? '', /^There is no work “nope”\. The works are: `lenins-revenge` \(.+\), `reading-group` \(.+\)\.$/);
  });

  it('a work with no match says so, with those filters', async () => {
    const p = payload(await run({ query: 'nep', work: 'reading-group' }));
    assert.match(p.content ?? '', /^No quote matches “nep” with those filters\./);
  });

  it('notes are per work: note needs a work, and is checked against that work’s notes', async () => {
    assert.match(payload(await run({ note: 3 })).content ?? '', /^Each work numbers its own notes: add `work:`/);
    assert.equal(payload(await run({ note: 4, work: 'reading-group' })).content, 'There is no note 4 in *Voices from a Mill Town (a reading group handout, invented for testing)* (`reading-group`) — its notes run from 1 to 3. Try `/quote note:3 work:reading-group`.');
    const p = payload(await run({ note: 3, work: 'reading-group' }));
    assert.match(footer(p), /^rg-00\d/);
    assert.match(p.embeds?.[0]?.fields?.find((x) => x.name === 'Note')?.value ?? '', /^\[3\] Interview notes, appendix C/);
  });

  it('autocomplete offers the works by title, sending the id', async () => {
    const all = await dispatcher.autocomplete({ ...caller, commandName: 'quote', subcommand: null, focused: { name: 'work', value: '' }, options: {}, now: NOW });
    assert.deepEqual(
      all.map((c) => c.value),
      ['lenins-revenge', 'reading-group'],
    );
    assert.match(all[1]?.name ?? '', /^Voices from a Mill Town \(a reading group handout, invented …? — Test Fixture Reading Group \(4\)$/);
    const mill = await dispatcher.autocomplete({ ...caller, commandName: 'quote', subcommand: null, focused: { name: 'work', value: 'mill' }, options: {}, now: NOW });
    assert.deepEqual(
      mill.map((c) => c.value),
      ['reading-group'],
    );
  });

  it('/source names the work’s own range and a command inside that work; /quote note: up to 99 gets the same', async () => {
    const source = async (options: Record<string, OptionValue>) =>
      payload(await dispatcher.command({ ...caller, commandName: 'source', subcommand: null, options, now: NOW }));
    const missing = await source({ n: 9, work: 'reading-group' });
    assert.ok(missing.flags, 'ephemeral');
    assert.equal(missing.content, 'There is no note 9 in *Voices from a Mill Town (a reading group handout, invented for testing)* (`reading-group`) — its notes run from 1 to 3. Try `/source 3 work:reading-group`.');
    const essay = await source({ n: 11, work: 'lenins-revenge' });
    assert.equal(essay.content, "There is no note 11 in *Lenin's Revenge: Early Soviet Hidden Voices* (`lenins-revenge`) — its notes run from 1 to 10. Try `/source 8 work:lenins-revenge`.");
    // The definition allows 99 whatever the work; the work's own range is what the answer names.
    const quote = payload(await run({ note: 99, work: 'lenins-revenge' }));
    assert.ok(quote.flags, 'ephemeral');
    assert.match(quote.content ?? '', /^There is no note 99 in .+ \(`lenins-revenge`\) — its notes run from 1 to 10\. Try `\/quote note:10 work:lenins-revenge`\.$/);
    const three = await source({ n: 3, work: 'reading-group' });
    assert.equal(three.embeds?.[0]?.description, app.corpus.sourceById.get('reading-group')?.notes[2]?.text);
    assert.match(three.embeds?.[0]?.footer?.text ?? '', /^A note of Test Fixture Reading Group, “Voices from a Mill Town/);
  });

  it('a note no quotation rests on says so, instead of “no match”', async () => {
    const p = payload(await run({ note: 1, work: 'lenins-revenge' }));
    assert.equal(p.content, 'No quotation of `lenins-revenge` rests on note 1 (`/source 1 work:lenins-revenge` shows what it cites); quotations rest on notes 2, 3, 4, 5, 6, 7, 8, 9, 10.');
  });

  it('the daily rotation covers every work, and a day’s post cites its own work', () => {
    const rotation = createRotation(app.corpus.quotes.map((q) => q.id));
    assert.equal(new Set(rotation.cycleOrder(0)).size, app.corpus.quotes.length, 'one cycle shows every quote of every work');
    const dates = Array.from({ length: rotation.size }, (_, i) => new Date(Date.UTC(2026, 0, 1 + i)).toISOString().slice(0, 10));
    assert.ok(dates.some((d) => rotation.voiceOf(d).startsWith('rg-')), 'the new work is posted within a cycle’s length of days');
    const rg = app.corpus.byId.get('rg-001') ?? assert.fail('rg-001');
    const post = JSON.stringify(dailyPostMessage(app.corpus, rg, { localDate: '2026-03-10' }));
    assert.match(post, /Test Fixture Reading Group/);
    assert.doesNotMatch(post, /Gasper|Lenin’s Revenge/);
  });

  it('page ids carry the work; without one they are as before works', () => {
    const old = parseQuoteButton('quote:page:2:||||nep');
    assert.deepEqual(old, { action: 'page', state: { index: 2, query: 'nep', filters: {} } });
    const now = parseQuoteButton('quote:page:2:||||reading-group|nep');
    assert.deepEqual(now, { action: 'page', state: { index: 2, query: 'nep', filters: { work: 'reading-group' } } });
  });
});
