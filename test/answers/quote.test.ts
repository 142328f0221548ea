/**
 * /quote, /source, /themes and /about end to end through the Dispatcher the
 * bot and the console share: the real commands, the real corpus, a fixed
 * "random".
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { commands } from '../../commands/index.js';
import { createApp } from '../../src/app.js';
import { autocompleteQuote } from '../../src/answers/quote.js';
import type { Quote } from '../../src/corpus/types.js';
import { pageId, parseQuoteButton, quoteActionId, type PageState } from '../../src/interactions/custom-id.js';
import { Dispatcher } from '../../src/interactions/dispatch.js';
import type { OptionValue, Reply } from '../../src/interactions/types.js';
import type { MessagePayload } from '../../src/message/payload.js';
import { chicagoNote } from '../../src/render/citation.js';
import { LIMITS, limitViolations } from '../../src/message/limits.js';
import { hasFacet, resolveFacet } from '../../src/search/facets.js';
import { words } from '../../src/search/terms.js';

const app = createApp({ random: () => 0 });
const dispatcher = new Dispatcher(commands, app);
const USER = '300000000000000001';
const OTHER = '300000000000000002';
const NOW = new Date('2024-03-04T12:00:00Z');
const caller = (userId: string) => ({ userId, guildId: '300000000000000010', channelId: '300000000000000011', memberPermissions: null });

function run(commandName: string, options: Record<string, OptionValue> = {}, d: Dispatcher = dispatcher): Promise<Reply> {
  return d.command({ ...caller(USER), commandName, subcommand: null, options, now: NOW });
}

function press(customId: string, userId = USER, messageOwnerId: string | null = USER, d: Dispatcher = dispatcher): Promise<Reply> {
  return d.button({ ...caller(userId), customId, messageId: null, messageOwnerId, now: NOW });
}

function complete(name: string, value: string) {
  return dispatcher.autocomplete({ ...caller(USER), commandName: 'quote', subcommand: null, focused: { name, value }, options: {}, now: NOW });
}

function buttonsOf(p: MessagePayload) {
  return (p.components ?? []).flatMap((row) =>
    row.components.flatMap((c) => ('custom_id' in c && 'label' in c ? [{ label: c.label ?? '', id: c.custom_id, disabled: Boolean(c.disabled) }] : [])),
  );
}

function buttonId(p: MessagePayload, label: string): string {
  const b = buttonsOf(p).find((x) => x.label.includes(label));
  assert.ok(b, `a "${label}" button among ${buttonsOf(p).map((x) => x.label).join(', ')}`);
  return b.id;
}

/** The quote a result page shows (its id opens the footer) and its position "i of N". */
function page(p: MessagePayload): { quote: Quote; index: number; total: number } {
  const footer = p.embeds?.[0]?.footer?.text ?? '';
  const id = footer.split(' · ')[0] ?? '';
  const quote = app.corpus.byId.get(id);
  assert.ok(quote, `a quote id opens the footer: "${footer}"`);
  const m = / · (\d+) of (\d+)/.exec(footer);
  assert.ok(m, `a position in the footer: "${footer}"`);
  return { quote, index: Number(m[1]), total: Number(m[2]) };
}

/** A polite ephemeral answer: one content line or more, no embed, no buttons. */
function assertNotice(reply: Reply, content: string | RegExp): void {
  assert.equal(reply.type, 'message');
  assert.equal(reply.payload.flags, 64);
  assert.equal(reply.payload.embeds, undefined);
  assert.equal(reply.payload.components, undefined);
  if (typeof content === 'string') assert.equal(reply.payload.content, content);
  else assert.match(reply.payload.content ?? '', content);
  assertSafe(reply.payload);
}

/** No payload may ping or be rejected, and user text never shows raw @everyone or unescaped bold. */
function assertSafe(p: MessagePayload): void {
  assert.deepEqual(p.allowed_mentions, { parse: [] });
  assert.deepEqual(limitViolations(p), []);
  const shown = [p.content ?? '', ...(p.embeds ?? []).flatMap((e) => [e.title ?? '', e.description ?? '', e.footer?.text ?? '', ...(e.fields ?? []).flatMap((f) => [f.name, f.value])])];
  for (const text of shown) {
    assert.doesNotMatch(text, /@everyone|@here|<@\d/, text);
  }
}

/** Pages through every result by pressing Next, returning the quotes shown in order. */
async function pageThrough(first: Reply): Promise<Quote[]> {
  assert.equal(first.type, 'message');
  let current = first.payload;
  const seen = [page(current).quote];
  const total = page(current).total;
  for (let i = 2; i <= total; i++) {
    const next = await press(buttonId(current, 'Next'));
    assert.equal(next.type, 'update');
    current = next.payload;
    assert.equal(page(current).index, i);
    assert.equal(page(current).total, total);
    seen.push(page(current).quote);
  }
  assert.equal(buttonsOf(current).find((b) => b.label.includes('Next'))?.disabled ?? true, true, 'Next is disabled on the last page');
  return seen;
}

describe('/quote nep and its buttons', () => {
  const expected = app.search.search('nep').hits.map((h) => h.quote);

  it('answers with the best match, 1 of N, and Previous (disabled), Next, Cite, Context', async () => {
    const reply = await run('quote', { query: 'nep' });
    assert.equal(reply.type, 'message');
    assert.equal(reply.payload.flags, undefined, 'a result is public');
    assertSafe(reply.payload);
    assert.equal(expected.length, 26);
    assert.deepEqual(page(reply.payload), { quote: expected[0], index: 1, total: 26 });
    assert.equal(page(reply.payload).quote.id, 'lr-011');
    assert.deepEqual(
      buttonsOf(reply.payload).map((b) => [b.label, b.disabled]),
      [
        ['◀ Previous', true],
        ['Next ▶', false],
        ['Cite', false],
        ['Context', false],
      ],
    );
  });

  it('Next updates the message to 2 of N; Previous goes back to 1', async () => {
    const first = await run('quote', { query: 'nep' });
    const second = await press(buttonId(first.payload, 'Next'));
    assert.equal(second.type, 'update');
    assertSafe(second.payload);
    assert.deepEqual(page(second.payload), { quote: expected[1], index: 2, total: 26 });
    assert.equal(buttonsOf(second.payload)[0]?.disabled, false, 'Previous is live on page 2');
    const back = await press(buttonId(second.payload, 'Previous'));
    assert.equal(back.type, 'update');
    assert.deepEqual(back.payload, first.payload);
  });

  it("refuses another user's press of Next, privately, without updating", async () => {
    const first = await run('quote', { query: 'nep' });
    const reply = await press(buttonId(first.payload, 'Next'), OTHER, USER);
    assertNotice(reply, 'Only the person who searched can turn these pages. Run `/quote` to search yourself.');
  });

  it('lets anyone page when the owner is not known', async () => {
    const first = await run('quote', { query: 'nep' });
    const reply = await press(buttonId(first.payload, 'Next'), OTHER, null);
    assert.equal(reply.type, 'update');
    assert.equal(page(reply.payload).index, 2);
  });

  it('Cite answers privately with the Chicago note of the quote shown', async () => {
    const first = await run('quote', { query: 'nep' });
    const shown = page(first.payload).quote;
    const reply = await press(buttonId(first.payload, 'Cite'), OTHER);
    assert.equal(reply.type, 'message');
    assert.equal(reply.payload.flags, 64);
    assertSafe(reply.payload);
    assert.equal(reply.payload.embeds?.[0]?.title, `Cite ${shown.id}`);
    assert.ok(reply.payload.embeds?.[0]?.description?.includes(chicagoNote(app.corpus, shown)));
    assert.equal(
      chicagoNote(app.corpus, shown),
      'A lathe operator, interview, Harvard Project on the Soviet Social System, quoted in Phil Gasper, “Lenin’s Revenge: Early Soviet Hidden Voices,” New Politics, March 4, 2024, https://newpol.org/lenins-revenge-early-soviet-hidden-voices/ (see its note 2).',
    );
  });

  it('Context answers privately with the essay around the quote', async () => {
    const first = await run('quote', { query: 'nep' });
    const reply = await press(buttonId(first.payload, 'Context'));
    assert.equal(reply.type, 'message');
    assert.equal(reply.payload.flags, 64);
    assertSafe(reply.payload);
    assert.equal(reply.payload.embeds?.[0]?.title, 'Context of lr-011');
    assert.ok(reply.payload.embeds?.[0]?.description?.includes('**NEP under Lenin, was very good; people were free.'));
  });

  it('a forged page past the end shows the last page', async () => {
    const reply = await press('quote:page:999:||||nep');
    assert.equal(reply.type, 'update');
    assert.deepEqual(page(reply.payload), { quote: expected[25], index: 26, total: 26 });
  });
});

describe('/quote with odd queries', () => {
  it('refuses a 500-character query, saying the limit is 100 characters', async () => {
    assertNotice(
      await run('quote', { query: 'lenin '.repeat(84).slice(0, 500) }),
      'Searches can be up to 100 characters; yours has 500. Try a few key words, like `/quote collective farms`.',
    );
  });

  it('answers an empty-after-trim query with a random quote (the first by id when random is 0) that still pages', async () => {
    const first = await run('quote', { query: '   ' });
    assert.equal(first.type, 'message');
    assert.equal(first.payload.flags, undefined);
    assert.deepEqual(page(first.payload), { quote: app.corpus.byId.get('lr-001'), index: 1, total: 127 });
    assert.equal(first.payload.embeds?.[0]?.footer?.text, 'lr-001 · quoted in Phil Gasper, “Lenin’s Revenge: Early Soviet Hidden Voices” (2024) · 1 of 127');
    const next = await press(buttonId(first.payload, 'Next'));
    assert.equal(next.type, 'update');
    assert.deepEqual(page(next.payload), { quote: app.corpus.byId.get('lr-002'), index: 2, total: 127 });
  });

  it('picks the random quote with the injected random', async () => {
    const half = new Dispatcher(commands, { ...app, random: () => 0.5 });
    const reply = await run('quote', {}, half);
    assert.deepEqual(page(reply.payload), { quote: app.corpus.quotes[63], index: 64, total: 127 });
  });

  it('answers a query of only punctuation ("!!!") with a polite private answer, not a random quote', async () => {
    const reply = await run('quote', { query: '!!!' });
    assertNotice(reply, /^“!!!” has no words to search for\. Try a word or two, like `\/quote bandit`, or `\/quote` alone for a random voice\.$/);
  });

  it('finds speakers as people type them: woman, teacher (school teachers too), worker', async () => {
    const total = async (speaker: string) => {
      const reply = await run('quote', { speaker });
      return /(\d+) of (\d+) for speaker (\S+)/.exec(reply.payload.embeds?.[0]?.footer?.text ?? '')?.slice(2);
    };
    assert.deepEqual(await total('woman'), ['25', 'gender:female']);
    assert.deepEqual(await total('teacher'), ['6', 'occupation:teacher']);
    assert.deepEqual(await total('worker'), ['14', 'occupation:worker']);
  });

  it('cuts autocomplete choices on whole characters: an emoji is never split', () => {
    const typed = `${'a'.repeat(99)}😀`;
    const choices = autocompleteQuote(app, 'query', typed);
    assert.ok(choices.length > 0, 'the typed text has choices');
    for (const c of choices) {
      assert.ok(c.name.length <= 100 && String(c.value).length <= 100, c.name);
      assert.doesNotMatch(`${c.name}${c.value}`, /[\ud800-\udbff](?![\udc00-\udfff])/, 'no lone high surrogate');
    }
  });

  it('says a stop word alone is too common to search on', async () => {
    assertNotice(await run('quote', { query: 'the' }), /^“the” is too common to search on/);
  });

  it('says a question made only of question words is too common to search on', async () => {
    assertNotice(await run('quote', { query: 'what did they say?' }), /^“what did they say\?” is too common to search on/);
  });

  it('answers a Cyrillic query in English: the words searched, or how to search when none is known', async () => {
    const famine = await run('quote', { query: 'голод' });
    assert.equal(famine.type, 'message');
    assert.equal(famine.payload.content, 'The quotations are in English: “голод” was searched as famine, starving, hungry.');
    assert.ok((famine.payload.embeds ?? []).length > 0);
    assertNotice(await run('quote', { query: 'привет' }), /The quotations are in English \(translated from Russian\), and no English word is known here for “привет”: search in English/);
    assertNotice(await run('quote', { query: 'голод', theme: 'testament' }), /The quotations are in English: “голод” is `famine`, `starving`, `hungry`\./);
  });

  it('says when a reader’s term was searched as the essay’s words', async () => {
    const reply = await run('quote', { query: 'gulag' });
    assert.equal(reply.type, 'message');
    assert.match(reply.payload.content ?? '', /^“gulag” is not the essay’s word; also searched: concentration camp/);
  });

  it('says when a word was not in the corpus and close words were searched instead', async () => {
    const reply = await run('quote', { query: 'Trotksy' });
    assert.equal(reply.type, 'message');
    assert.equal(reply.payload.content, '“trotksy” is not in the corpus; showing close words: trotsky.');
    assert.match(reply.payload.embeds?.[0]?.description ?? '', /Trotsky/);
  });

  it('answers a word the corpus lacks with a private no-match and themes to try', async () => {
    assertNotice(
      await run('quote', { query: 'collectivisaton' }),
      'No quote matches “collectivisaton”.\nThemes to try: `nep`, `collectivization`, `testament`, `terror`, `hunger`, `labour` — or `/themes` for all of them.',
    );
    // ("gulag", which once landed here, is now a reader's term for the essay's concentration camps.)
    assertNotice(await run('quote', { query: 'guleg' }), /^No quote matches “guleg”\.\nClose terms in the corpus: `rulers`, `illegal`, `rule`\.\nThemes to try: /);
  });

  it('suggests theme ids that match the words typed', async () => {
    // Note 1 has no quotes: the notice says so on its own line, before the suggestions.
    assertNotice(
      await run('quote', { query: 'peasant', note: 1 }),
      /^No quote matches “peasant” with those filters\.\nNo quotation rests on note 1 \(`\/source 1` shows what it cites\); quotations rest on notes 2, 3, 4, 5, 6, 7, 8, 9, 10\.\n(?:.+\n)?Themes to try: `peasants` — or `\/themes` for all of them\.$/,
    );
  });

  it(
    'suggests close words as the corpus spells them, not as index stems',
    async () => {
      const corpusWords = new Set(app.corpus.quotes.flatMap((q) => words(`${q.text} ${q.speaker}`)));
      for (const query of ['industrialisation', 'purgez']) {
        const reply = await run('quote', { query });
        assertNotice(reply, /Close terms in the corpus: /);
        const suggested = [...(/Close terms in the corpus: (.+)\.\n/.exec(reply.payload.content ?? '')?.[1] ?? '').matchAll(/`([^`]+)`/g)].map((m) => m[1] ?? '');
        assert.ok(suggested.length > 0, query);
        for (const s of suggested) assert.ok(s.split(' ').every((w) => corpusWords.has(w)), `${query}: "${s}" is not a word of the corpus`);
      }
    },
  );

  it('never echoes @everyone, mentions or bold unescaped, whatever the query', async () => {
    const queries = ['@everyone', '@everyone **bold**', 'zzzqqq @everyone **x**', '<@123> **nep**', '**', '@here `code` ||spoiler||', 'qqqq **@everyone**'];
    for (const query of queries) {
      const reply = await run('quote', { query });
      assertSafe(reply.payload);
      for (const text of [reply.payload.content ?? '', reply.payload.embeds?.[0]?.description ?? '']) {
        assert.doesNotMatch(text, /(?<!\\)\*\*(?:bold|x|nep|@)/, `${query}: ${text}`);
      }
      const next = buttonsOf(reply.payload).find((b) => b.label.includes('Next') && !b.disabled);
      if (next) assertSafe((await press(next.id)).payload);
    }
    // Note 1 has no quotes, so the query is echoed back in the no-match notice.
    const notFound = await run('quote', { query: 'qqqq **@everyone** <@123>', note: 1 });
    assertNotice(notFound, /^No quote matches “qqqq \\\*\\\*@\u200b+everyone\\\*\\\* <\u200b@\u200b+123>” with those filters\./);
  });
});

describe('/quote filters', () => {
  it('refuses an unknown theme, listing every theme id', async () => {
    assertNotice(
      await run('quote', { theme: 'economy' }),
      `There is no theme “economy”. The themes are: ${app.corpus.themes.map((t) => `\`${t.id}\``).join(', ')}.`,
    );
    assert.equal(app.corpus.themes.length, 14);
  });

  it('refuses an unknown speaker, giving examples that work', async () => {
    const reply = await run('quote', { speaker: 'astronaut' });
    assertNotice(reply, 'No speaker in the corpus is described as “astronaut”. Try an occupation, nationality, gender or age group, such as `young`, `female`, `male`, `worker`, `Ukrainian`, `student`.');
    for (const example of ['young', 'female', 'male', 'Ukrainian', 'student', 'worker']) assert.ok(resolveFacet(example, app.search.facets), example);
  });

  it('reads a source kind typed in any of the bot’s languages, as the autocomplete shows it', async () => {
    for (const [typed, kind] of [['Листовка', 'leaflet'], ['листівка', 'leaflet'], ["Інтерв'ю", 'interview'], ['Інтерв’ю', 'interview'], ['Донесение тайной полиции', 'report'], ['LETTER', 'letter']] as const) {
      const reply = await run('quote', { source: typed });
      assert.equal(page(reply.payload).quote.kind, kind, typed);
    }
  });

  it('refuses an unknown source kind, listing every kind', async () => {
    assertNotice(await run('quote', { source: 'diary' }), 'There is no source kind “diary”. The kinds are: `interview`, `report`, `letter`, `meeting`, `leaflet`, `manifesto`, `banner`.');
  });

  it('refuses a note outside 1 to 10', async () => {
    assertNotice(await run('quote', { note: 11 }), 'There is no note 11 — the notes run from 1 to 10. Try `/quote note:10`.');
    assertNotice(await run('quote', { note: 0 }), 'There is no note 0 — the notes run from 1 to 10. Try `/quote note:10`.');
  });

  it('theme:testament: every page shows a quote on that theme, each once', async () => {
    const shown = await pageThrough(await run('quote', { theme: 'testament' }));
    const expected = app.corpus.quotes.filter((q) => q.themes.includes('testament'));
    assert.equal(shown.length, 21);
    assert.deepEqual(
      shown.map((q) => q.id),
      expected.map((q) => q.id),
    );
    assert.ok(shown.length > 0, 'some quotes have the theme');
    for (const q of shown) assert.ok(q.themes.includes('testament'), q.id);
  });

  it('theme by label and in any case: "Lenin\'s Testament" is testament', async () => {
    const reply = await run('quote', { theme: "LENIN'S TESTAMENT", query: 'cook' });
    assert.ok(page(reply.payload).quote.themes.includes('testament'));
    assert.match(reply.payload.embeds?.[0]?.footer?.text ?? '', / for “cook” · theme Lenin's Testament$/);
  });

  it('speaker:occupation:engineer: only engineers', async () => {
    const shown = await pageThrough(await run('quote', { speaker: 'occupation:engineer' }));
    assert.deepEqual(
      shown.map((q) => q.id),
      ['lr-002', 'lr-029', 'lr-080', 'lr-083'],
    );
    for (const q of shown) assert.equal(q.facets.occupation, 'engineer');
  });

  it('speaker:Ukrainian: only Ukrainians', async () => {
    const shown = await pageThrough(await run('quote', { speaker: 'Ukrainian' }));
    const expected = app.corpus.quotes.filter((q) => q.facets.nationality === 'Ukrainian');
    assert.equal(shown.length, expected.length);
    assert.ok(shown.length >= 10, `${shown.length} Ukrainian speakers`);
    for (const q of shown) {
      assert.equal(q.facets.nationality, 'Ukrainian', q.id);
      assert.ok(hasFacet(q, 'nationality:ukrainian'));
    }
  });

  it('note: 8 shows only quotes resting on note 8', async () => {
    const shown = await pageThrough(await run('quote', { note: 8 }));
    assert.deepEqual(
      shown.map((q) => q.id),
      ['lr-111', 'lr-112', 'lr-113', 'lr-114', 'lr-115', 'lr-116', 'lr-117', 'lr-118'],
    );
    for (const q of shown) assert.equal(q.note, 8);
  });

  it('combines a query with filters, and pages within them', async () => {
    const shown = await pageThrough(await run('quote', { query: 'collective farms', source: 'interview', speaker: 'young' }));
    assert.ok(shown.length >= 2, `${shown.length} results`);
    for (const q of shown) {
      assert.equal(q.kind, 'interview', q.id);
      assert.ok(hasFacet(q, 'age:young'), q.id);
    }
  });
});

describe('/source, /themes, /about and unknown commands', () => {
  it('/source 8 shows the note in full', async () => {
    const reply = await run('source', { n: 8 });
    assert.equal(reply.type, 'message');
    assert.equal(reply.payload.flags, undefined);
    assertSafe(reply.payload);
    assert.equal(reply.payload.embeds?.[0]?.title, 'Note 8');
    assert.equal(reply.payload.embeds?.[0]?.description, '*Sovershenno Sekretno: Lubyanka Stalinu O Polozhenii V Strane: 1922-1934*: vol.8, pp. 118, 160, 163, 391.');
  });

  it('/source 99, 0 and -3: a private notice with the range', async () => {
    for (const n of [99, 0, -3]) assertNotice(await run('source', { n }), `There is no note ${n} — the notes run from 1 to 10. Try \`/source 8\`.`);
  });

  it('/themes and /about answer publicly', async () => {
    const themes = await run('themes');
    assert.equal(themes.payload.embeds?.[0]?.title, 'Themes');
    assert.equal(themes.payload.flags, undefined);
    assertSafe(themes.payload);
    const about = await run('about');
    assert.equal(about.payload.embeds?.[0]?.title, 'About Hidden Voices');
    assertSafe(about.payload);
  });

  it('an unknown command gets a notice', async () => {
    assertNotice(await run('quotes'), 'There is no command /quotes. Try `/about`.');
  });
});

describe('buttons that cannot be honoured', () => {
  it('a malformed page id gets a polite notice', async () => {
    assertNotice(await press('quote:page:xx'), 'This button is from an older version of the bot. Run `/quote` again.');
    assertNotice(await press('quote:page:-1:||||nep'), 'This button is from an older version of the bot. Run `/quote` again.');
  });

  it('a cite or context button for an unknown quote id gets a notice', async () => {
    assertNotice(await press('quote:cite:lr-999'), 'Quote lr-999 is no longer in the corpus. Run `/quote` again.');
    assertNotice(await press('quote:context:lr-041'), 'Quote lr-041 is no longer in the corpus. Run `/quote` again.');
  });

  it('a button of no command gets a notice', async () => {
    assertNotice(await press('poll:vote:1'), 'This button no longer does anything. Run the command again.');
  });
});

describe('autocomplete', () => {
  function assertChoices(choices: { name: string; value: string | number }[]): void {
    assert.ok(choices.length <= LIMITS.autocompleteChoices, `${choices.length} choices`);
    for (const c of choices) {
      assert.ok(c.name.length >= 1 && c.name.length <= LIMITS.choiceName, c.name);
      assert.ok(String(c.value).length >= 1 && String(c.value).length <= LIMITS.choiceValue, String(c.value));
    }
    assert.equal(new Set(choices.map((c) => c.value)).size, choices.length, 'no duplicate values');
  }

  it('query "col" offers collective and collectivization', () => {
    const choices = complete('query', 'col');
    assertChoices(choices);
    const values = choices.map((c) => c.value);
    assert.equal(values[0], 'col', 'what was typed comes first');
    assert.ok(values.includes('collective'), values.join(', '));
    assert.ok(values.includes('collectivization'), values.join(', '));
  });

  it('query with nothing typed offers the themes', () => {
    const choices = complete('query', '');
    assertChoices(choices);
    assert.deepEqual(
      choices.map((c) => c.value),
      app.corpus.themes.map((t) => t.id.replace(/-/g, ' ')),
    );
  });

  it('query: a 150-character value is clipped to Discord’s limits', () => {
    const choices = complete('query', 'x'.repeat(150));
    assertChoices(choices);
    assert.equal(choices[0]?.name, `${'x'.repeat(99)}…`);
    assert.equal(choices[0]?.value, 'x'.repeat(100));
  });

  it('theme, speaker and source', () => {
    const theme = complete('theme', 'coll');
    assertChoices(theme);
    assert.deepEqual(theme, [{ name: 'Collectivization (27)', value: 'collectivization' }]);
    const speaker = complete('speaker', 'eng');
    assertChoices(speaker);
    assert.deepEqual(speaker, [{ name: 'occupation: engineer (4)', value: 'occupation:engineer' }]);
    const allSpeakers = complete('speaker', '');
    assertChoices(allSpeakers);
    assert.equal(allSpeakers.length, 25);
    const source = complete('source', 'le');
    assertChoices(source);
    assert.deepEqual(source, [
      { name: 'Letter', value: 'letter' },
      { name: 'Leaflet', value: 'leaflet' },
    ]);
    assert.deepEqual(complete('source', 'zzz'), []);
  });
});

describe('custom ids', () => {
  const roundTrip = (state: PageState) => {
    const id = pageId(state);
    assert.ok(id, 'fits');
    assert.ok(id.length <= LIMITS.customId);
    return parseQuoteButton(id);
  };

  it('carry the page state there and back', () => {
    const states: PageState[] = [
      { index: 0, query: 'nep', filters: {} },
      { index: 12, query: 'collective farms', filters: { theme: 'collectivization', kind: 'interview', note: 2, speaker: 'occupation:engineer' } },
      { index: 3, query: '', filters: { speaker: 'nationality:ukrainian' } },
      { index: 7, query: 'Ильич “плохо” — café 😀', filters: {} },
      { index: 1, query: 'a:b:c page:2', filters: {} },
    ];
    for (const state of states) assert.deepEqual(roundTrip(state), { action: 'page', state }, state.query);
  });

  it('turn a | in the query into a space, which searches the same', async () => {
    assert.deepEqual(roundTrip({ index: 1, query: 'lenin|stalin', filters: {} }), { action: 'page', state: { index: 1, query: 'lenin stalin', filters: {} } });
    const first = await run('quote', { query: 'lenin|stalin' });
    const total = page(first.payload).total;
    assert.equal(total, app.search.search('lenin stalin').hits.length);
    const next = await press(buttonId(first.payload, 'Next'));
    assert.deepEqual(page(next.payload), { quote: app.search.search('lenin stalin').hits[1]?.quote, index: 2, total });
  });

  it('cite and context ids round trip', () => {
    assert.deepEqual(parseQuoteButton(quoteActionId('cite', 'lr-002')), { action: 'cite', quoteId: 'lr-002' });
    assert.deepEqual(parseQuoteButton(quoteActionId('context', 'rg-004')), { action: 'context', quoteId: 'rg-004' });
    assert.equal(parseQuoteButton('quote:cite:LR 002'), null);
    assert.equal(parseQuoteButton('other:cite:lr-002'), null);
  });

  it('pageId gives null rather than an id over 100 characters', () => {
    const exactly = pageId({ index: 0, query: 'x'.repeat(83), filters: {} });
    assert.equal(exactly?.length, 100);
    assert.equal(pageId({ index: 0, query: 'x'.repeat(84), filters: {} }), null);
    assert.equal(pageId({ index: 10, query: 'x'.repeat(83), filters: {} }), null);
    assert.equal(pageId({ index: 0, query: 'nep', filters: { theme: 'lenin-and-the-people', speaker: 'occupation:journalist and author', kind: 'interview', note: 2 } })?.length, 82);
  });

  it('a valid query too long to page through still answers, without Previous/Next', async () => {
    const query = Array.from({ length: 15 }, () => 'lenin').join(' ');
    assert.equal(query.length, 89);
    const reply = await run('quote', { query });
    assert.equal(reply.type, 'message');
    assertSafe(reply.payload);
    assert.deepEqual(
      buttonsOf(reply.payload).map((b) => b.label),
      ['Cite', 'Context'],
    );
    assert.match(reply.payload.embeds?.[0]?.footer?.text ?? '', /· 1 of \d+ for “lenin lenin .*” · shorten the search to page through$/);
  });
});
