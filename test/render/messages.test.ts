/**
 * Every message the bot can send about the real corpus, checked against
 * Discord's limits and against the corpus itself: the words shown are the
 * stored words, changed only in the documented typographic ways.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { commands } from '../../commands/index.js';
import { createApp } from '../../src/app.js';
import { normalise } from '../../src/corpus/text.js';
import type { Quote } from '../../src/corpus/types.js';
import type { MessagePayload } from '../../src/message/payload.js';
import { chicagoNote, essayCitation } from '../../src/render/citation.js';
import { LIMITS, limitViolations } from '../../src/message/limits.js';
import { aboutMessage, citeMessage, contextMessage, noteMessage, quoteMarkdown, resultMessage, themesMessage } from '../../src/render/messages.js';
import { quoteBody, quoteSegments } from '../../src/render/quote-text.js';
import { escapeMarkdown as formattersEscape } from '@discordjs/formatters';
import { escapeMarkdown, plainUserText, showUserText } from '../../src/render/text.js';

const app = createApp({ random: () => 0 });
const { corpus } = app;
const src = (q: Quote) => corpus.sourceById.get(q.sourceId);
const essay = corpus.sources[0];
assert.ok(essay);
const FOOTER_SOURCE = 'quoted in Phil Gasper, “Lenin’s Revenge: Early Soviet Hidden Voices” (2024)';
const ESSAY = 'Phil Gasper, “Lenin’s Revenge: Early Soviet Hidden Voices,” New Politics, March 4, 2024, https://newpol.org/lenins-revenge-early-soviet-hidden-voices/';

function customIds(p: MessagePayload): string[] {
  return (p.components ?? []).flatMap((row) => row.components.flatMap((c) => ('custom_id' in c ? [c.custom_id] : [])));
}

function buttons(p: MessagePayload): { label: string; disabled: boolean; id: string }[] {
  return (p.components ?? []).flatMap((row) =>
    row.components.flatMap((c) => ('custom_id' in c && 'label' in c ? [{ label: c.label ?? '', disabled: Boolean(c.disabled), id: c.custom_id }] : [])),
  );
}

/** What every payload must satisfy: Discord's limits, short custom ids, no pings. */
function assertSendable(p: MessagePayload, what: string): void {
  assert.deepEqual(limitViolations(p), [], what);
  for (const id of customIds(p)) assert.ok(id.length <= LIMITS.customId, `${what}: custom id "${id}" is ${id.length} characters`);
  assert.deepEqual(p.allowed_mentions, { parse: [] }, what);
}

/** Markdown as Discord reads it: backslash escapes resolved. */
function unescape(md: string): string {
  return md.replace(/\\([\\*_~`|[\]>#-])/g, '$1');
}

/** The runs of bold text (`**…**`) in Markdown, escapes resolved. */
function boldRuns(md: string): string[] {
  const out: string[] = [];
  let current: string | null = null;
  for (let i = 0; i < md.length; i++) {
    const ch = md[i] ?? '';
    if (ch === '\\' && i + 1 < md.length) {
      i++;
      if (current !== null) current += md[i];
    } else if (ch === '*' && md[i + 1] === '*') {
      i++;
      if (current === null) current = '';
      else {
        out.push(current);
        current = null;
      }
    } else if (current !== null) current += ch;
  }
  assert.equal(current, null, 'every bold run is closed');
  return out;
}

/**
 * Undoes the documented typographic changes of quoteBody: splits at the " […] "
 * joiners, turns [gloss] back into (gloss), and puts back the double marks
 * that nesting turned into single ones and the straight single marks set
 * curly (only where the stored part has one).
 */
function reverseQuoteBody(q: Quote, body: string): string[] {
  return body.split(' […] ').map((piece, i) => {
    let text = piece;
    for (const g of q.glosses) text = text.split(`[${g.replace(/^\(|\)$/g, '')}]`).join(g);
    const stored = q.parts[i] ?? '';
    if (text.length !== stored.length) return text;
    let out = '';
    for (let k = 0; k < text.length; k++) {
      const shown = text[k] ?? '';
      const was = stored[k] ?? '';
      const nested =
        (was === '“' && shown === '‘') ||
        (was === '”' && shown === '’') ||
        (was === '"' && (shown === '‘' || shown === '’')) ||
        // Straight single marks and apostrophes are set as curly ones.
        (was === "'" && (shown === '‘' || shown === '’'));
      out += nested ? was : shown;
    }
    return out;
  });
}

const themeLabel = (id: string) => corpus.themes.find((t) => t.id === id)?.label ?? id;

describe('every quote of the corpus, as the bot shows it', () => {
  it('covers the whole corpus', () => {
    assert.equal(corpus.quotes.length, 127);
  });

  it('result message, page 1 of N: within limits, the right words, speaker, footer and buttons', () => {
    for (const q of corpus.quotes) {
      const hits = [q, ...corpus.quotes.filter((x) => x !== q)];
      const theme = q.themes[0] ?? '';
      const p = resultMessage(app.corpus, { hits, index: 0, query: 'lenin stalin', filters: { theme } });
      assertSendable(p, `${q.id} page 1`);
      assert.equal(p.flags, undefined, `${q.id}: a result is public`);
      const embed = p.embeds?.[0];
      assert.ok(embed, q.id);
      assert.equal(embed.description, `${quoteMarkdown(q, src(q))}\n\n— ${escapeMarkdown(q.speaker)}`, q.id);
      assert.equal(unescape(embed.description ?? '').replace(/\*/g, ''), `${quoteBody(q, src(q))}\n\n— ${q.speaker}`, q.id);
      assert.equal(embed.footer?.text, `${q.id} · ${FOOTER_SOURCE} · 1 of 127 for “lenin stalin” · theme ${themeLabel(theme)}`);
      assert.deepEqual(
        embed.fields?.map((f) => f.name),
        ['Source', 'Note', 'Themes', ...(q.remarks ? ['As printed'] : [])],
      );
      assert.equal(embed.fields?.[2]?.value, q.themes.map(themeLabel).join(', '), q.id);
      assert.ok(embed.fields?.[1]?.value.startsWith(`[${q.note}] `), q.id);
      assert.deepEqual(
        buttons(p).map((b) => [b.label, b.disabled]),
        [
          ['◀ Previous', true],
          ['Next ▶', false],
          ['Cite', false],
          ['Context', false],
        ],
        q.id,
      );
      assert.equal(buttons(p)[2]?.id, `quote:cite:${q.id}`);
      assert.equal(buttons(p)[3]?.id, `quote:context:${q.id}`);
    }
  });

  it('result message, a middle page: within limits, both page buttons live', () => {
    for (const q of corpus.quotes) {
      const others = corpus.quotes.filter((x) => x !== q);
      const hits = [...others.slice(0, 63), q, ...others.slice(63)];
      const p = resultMessage(app.corpus, { hits, index: 63, query: '', filters: { speaker: 'gender:female', kind: q.kind, note: q.note } });
      assertSendable(p, `${q.id} page 64`);
      assert.match(p.embeds?.[0]?.footer?.text ?? '', new RegExp(`^${q.id} · .* · 64 of 127 for speaker gender:female · source .+ · note ${q.note}$`));
      assert.deepEqual(
        buttons(p).map((b) => [b.label, b.disabled]),
        [
          ['◀ Previous', false],
          ['Next ▶', false],
          ['Cite', false],
          ['Context', false],
        ],
      );
      assert.match(buttons(p)[0]?.id ?? '', /^quote:page:62:/);
      assert.match(buttons(p)[1]?.id ?? '', /^quote:page:64:/);
    }
  });

  it('the quoted segments differ from the stored parts only by the documented typographic changes', () => {
    for (const q of corpus.quotes) {
      const quoted = quoteSegments(q, src(q)).filter((s) => s.quoted);
      assert.equal(quoted.length, q.parts.length, q.id);
      for (const s of quoted) assert.doesNotMatch(s.text, /["“”]/, `${q.id}: double marks inside a quotation become single`);
      assert.deepEqual(reverseQuoteBody(q, quoted.map((s) => s.text).join(' […] ')), [...q.parts], q.id);
    }
  });

  it('the narration between parts is the essay’s own words, in order, nothing left out', () => {
    for (const q of corpus.quotes) {
      const text = src(q)?.text ?? '';
      const segments = quoteSegments(q, src(q));
      let part = 0;
      for (const [i, s] of segments.entries()) {
        if (s.quoted) {
          part += 1;
          continue;
        }
        if (part === 0) continue; // the lead-in: checked below
        const [, prevEnd] = q.location.spans[part - 1] ?? [0, 0];
        const [nextStart] = q.location.spans[part] ?? [0, 0];
        const between = text.slice(prevEnd, nextStart);
        const flat = (x: string) => x.replace(/\^\[\d+\]/g, '').replace(/[\s"“”‘’'*]/g, '');
        if (s.text !== '[…]') assert.equal(flat(s.text), flat(between), `${q.id} segment ${i}`);
        else assert.ok(between.length > 240, `${q.id}: only long narration is summarised`);
      }
      const lead = segments[0];
      if (lead && !lead.quoted) {
        const [start] = q.location.spans[0] ?? [0];
        const flat = (x: string) => x.replace(/\^\[\d+\]/g, '').replace(/[\s"“”‘’'*]/g, '');
        assert.ok(flat(text.slice(0, start)).endsWith(flat(lead.text.replace(/^…/, ''))), `${q.id}: the lead-in ends where the quote begins`);
        assert.ok(!/[.!?]\s/.test(lead.text.replace(/^…/, '').replace(/\b(?:vol|pp|p|v)\.\s/g, '')), `${q.id}: the lead-in is one sentence: ${lead.text}`);
      }
    }
  });

  it('quoteBody: glosses in square brackets, nested marks in order, parts joined with […]', () => {
    const body = (id: string) => {
      const q = corpus.byId.get(id);
      assert.ok(q, id);
      return quoteBody(q, src(q));
    };
    assert.match(body('lr-019'), /the NKVD \[secret police\] go around/);
    assert.match(body('lr-050'), /the Voice \[of America\]\.”$/);
    assert.equal(body('lr-083'), '“If you want to tell a real party man, a Marxist, he would say: ‘Lenin is very good’. But if you ask him about Stalin, he begins to be careful.”');
    assert.equal(body('lr-001'), 'When NEP “first began,” recalled a lawyer, “I thought that the country was being reborn. Many people had faith in Lenin, and I was among them.”');
    // The narration between parts is shown: leaving it out would turn this one around.
    assert.equal(body('lr-082'), 'Other emigres mentioned this anecdote, that “Stalin wears boots because he walks straight into the mud” while Lenin, “walks around the puddles.”');
    // The sentence that introduces a quote says whose words they are: here the driver reports Lenin's.
    assert.equal(body('lr-044'), 'A Ukrainian driver also stated that Lenin warned “If Stalin ever gets into the state kitchen, he will serve very bitter dishes.”');
    // A quote that opens its sentence has no lead-in.
    assert.match(body('lr-059'), /^“I have heard that even Lenin/);
    // A fragment gets the start of its sentence, so the reader knows who "he" is.
    assert.equal(body('lr-064'), 'Stalin, according to another interviewee, “doesn’t have any program. He is a hangman and bandit for whom the worms in the ground have waited a long time already.”');
  });

  it('cite message: within limits, ephemeral, the quotation and the Chicago note in code blocks', () => {
    for (const q of corpus.quotes) {
      const p = citeMessage(app.corpus, q);
      assertSendable(p, `${q.id} cite`);
      assert.equal(p.flags, 64, q.id);
      const e = p.embeds?.[0];
      assert.equal(e?.title, `Cite ${q.id}`);
      assert.ok(e?.description?.includes(`\`\`\`text\n${quoteBody(q, src(q))} — ${q.speaker}\n\`\`\``), q.id);
      assert.ok(e?.description?.includes(`\`\`\`text\n${chicagoNote(corpus, q)}\n\`\`\``), q.id);
      assert.match(chicagoNote(corpus, q), new RegExp(`, quoted in Phil Gasper, “Lenin’s Revenge: Early Soviet Hidden Voices,” New Politics, March 4, 2024, https://newpol\\.org/lenins-revenge-early-soviet-hidden-voices/ \\(see its note ${q.note}\\)\\.$`));
    }
  });

  it('cite message: the Chicago note for lr-002, exactly', () => {
    const q = corpus.byId.get('lr-002');
    assert.ok(q);
    assert.equal(
      chicagoNote(corpus, q),
      'A 50-year-old engineer, interview, Harvard Project on the Soviet Social System, quoted in Phil Gasper, “Lenin’s Revenge: Early Soviet Hidden Voices,” New Politics, March 4, 2024, https://newpol.org/lenins-revenge-early-soviet-hidden-voices/ (see its note 2).',
    );
  });

  it('cite message: a report cites the historian’s book it is quoted from', () => {
    const q = corpus.byId.get('lr-097');
    assert.ok(q);
    assert.equal(
      chicagoNote(corpus, q),
      'One of the complaints in secret-police reports, in Sarah Davies, Popular Opinion in Stalin’s Russia, p. 179, quoted in Phil Gasper, “Lenin’s Revenge: Early Soviet Hidden Voices,” New Politics, March 4, 2024, https://newpol.org/lenins-revenge-early-soviet-hidden-voices/ (see its note 3).',
    );
  });

  it('context starts and ends between the essay’s sentences, never inside another voice’s quotation', () => {
    const first = (id: string) => contextMessage(app.corpus, app.layouts, corpus.byId.get(id) as Quote).embeds?.[0]?.description ?? '';
    assert.match(first('lr-002'), /^When NEP "first began," recalled a lawyer, "I thought/);
    assert.match(first('lr-044'), /^… An office administrator said he would "like to quote Lenin"/);
  });

  it('context message: within limits, ephemeral, every part in bold, the paragraph in the footer', () => {
    for (const q of corpus.quotes) {
      const p = contextMessage(app.corpus, app.layouts, q);
      assertSendable(p, `${q.id} context`);
      assert.equal(p.flags, 64, q.id);
      const e = p.embeds?.[0];
      assert.equal(e?.title, `Context of ${q.id}`);
      assert.deepEqual(
        boldRuns(e?.description ?? '').map(normalise),
        q.parts.map(normalise),
        `${q.id}: the bold runs are the quote's parts, in order`,
      );
      assert.equal(e?.footer?.text, `From ${ESSAY} · the quoted words in bold`);
      assert.doesNotMatch(e?.description ?? '', /\^\[\d+\]/, `${q.id}: footnote markers are shown as [n]`);
    }
  });

  it('context message: the narration around lr-001, as the essay has it', () => {
    const q = corpus.byId.get('lr-001');
    assert.ok(q);
    assert.equal(
      contextMessage(app.corpus, app.layouts, q).embeds?.[0]?.description,
      'When NEP "**first began,**" recalled a lawyer, "**I thought that the country was being reborn. Many people had faith in Lenin, and I was among them.**" A 50-year-old engineer believed that "Lenin created a real miracle. He also changed the currency. In a few months all of Russia was happy." …',
    );
  });
});

describe('notes, themes and about', () => {
  it('every note 1..10: within limits, verbatim, with its link where it has one', () => {
    for (const note of essay.notes) {
      const p = noteMessage(app.corpus, note.n);
      assertSendable(p, `note ${note.n}`);
      assert.equal(p.flags, undefined);
      const e = p.embeds?.[0];
      assert.equal(e?.title, `Note ${note.n}`);
      assert.equal(e?.description, note.text);
      assert.equal(e?.footer?.text, `A note of ${ESSAY}`);
      const fields = new Map((e?.fields ?? []).map((f) => [f.name, f.value]));
      const resting = corpus.quotes.filter((q) => q.note === note.n);
      const list = fields.get(`Quotes resting on this note: ${resting.length}`) ?? '';
      // A note no quotation rests on says so in words, never "0: None.".
      if (resting.length === 0) assert.equal(fields.get('Quotes'), `None of the ${corpus.quotes.length} quotations of this work rests on this note.`, `note ${note.n}`);
      else assert.ok(list, `note ${note.n}`);
      // Each quote on the note, one a line, in id order, until the field is full.
      const shown = [...list.matchAll(/^`(lr-\d{3})` /gm)].map((m) => m[1]);
      assert.deepEqual(shown, resting.slice(0, shown.length).map((q) => q.id), `note ${note.n}`);
      if (shown.length < resting.length) assert.match(list, new RegExp(`…and ${resting.length - shown.length} more: page through them with \`/quote note:${note.n}\`$`));
      assert.equal(fields.get('Link'), note.url ?? undefined, `note ${note.n}`);
    }
    assert.deepEqual(
      essay.notes.filter((n) => n.url).map((n) => n.n),
      [1, 2],
    );
  });

  it('note 2 explains how to find an interview, with a string to search for', () => {
    const fields = noteMessage(app.corpus, 2).embeds?.[0]?.fields ?? [];
    assert.ok(fields.some((f) => f.name === 'Quotes resting on this note: 94'));
    const finding = fields.find((f) => f.name === 'Finding an interview')?.value ?? '';
    assert.equal(
      finding,
      'Search the Harvard Project\'s collection (the link above) for the quoted words inside double quotes and click “Go”, as the note says — for example `"Many people had faith in Lenin, and I was among them"`. The search finds the transcript of that respondent.',
    );
    assert.equal(noteMessage(app.corpus, 3).embeds?.[0]?.fields?.some((f) => f.name === 'Finding an interview'), false);
  });

  it('notes 0, 11, -3 and NaN: an ephemeral notice naming the range 1 to 10', () => {
    for (const n of [0, 11, -3]) {
      assert.deepEqual(noteMessage(app.corpus, n), {
        content: `There is no note ${n} — the notes run from 1 to 10. Try \`/source 8\`.`,
        flags: 64,
        allowed_mentions: { parse: [] },
      });
    }
    const nan = noteMessage(app.corpus, Number.NaN);
    assert.equal(nan.flags, 64);
    assert.equal(nan.embeds, undefined);
    assert.match(nan.content ?? '', /the notes run from 1 to 10/);
    assert.doesNotMatch(nan.content ?? '', /NaN/);
  });

  it('/themes: within limits, every theme with its id and count', () => {
    const p = themesMessage(app.corpus);
    assertSendable(p, 'themes');
    const d = p.embeds?.[0]?.description ?? '';
    for (const t of corpus.themes) {
      const n = corpus.quotes.filter((q) => q.themes.includes(t.id)).length;
      assert.ok(d.includes(`**${escapeMarkdown(t.label)}** (\`${t.id}\`) — ${n} quotes\n${escapeMarkdown(t.description)}`), t.id);
    }
    assert.ok(d.includes('**The NEP** (`nep`) — 17 quotes'));
  });

  it('/about: within limits, naming the essay and the corpus size', () => {
    const p = aboutMessage(app.corpus);
    assertSendable(p, 'about');
    const e = p.embeds?.[0];
    assert.equal(e?.footer?.text, '127 quotations · 14 themes');
    assert.ok(e?.description?.includes(`• ${essayCitation(essay)} — 127 quotations`));
    assert.ok(e?.description?.includes('words in [square brackets] are the essay author’s explanations inside a quotation'));
    assert.ok(e?.description?.includes('*words in italics* are the essay’s own narration'));
  });

  it('/about lists only commands the bot has, and all of them', () => {
    const listed = [...(aboutMessage(app.corpus).embeds?.[0]?.description ?? '').matchAll(/^`\/(\w+)/gm)].map((m) => m[1]);
    assert.deepEqual(listed, ['quote', 'source', 'themes', 'voice', 'daily', 'quiz']);
    assert.deepEqual([...listed].sort(), commands.map((c) => c.data.name).filter((n) => n !== 'about').sort());
  });
});

describe('user text in Markdown', () => {
  // showUserText defuses twice (in plainUserText and again), leaving two zero-width spaces: fold the runs.
  const fold = (s: string) => s.replace(/\u200b+/g, '\u200b');

  it('escapeMarkdown escapes emphasis, code, spoilers, links and line-start syntax', () => {
    assert.equal(escapeMarkdown('**x**'), '\\*\\*x\\*\\*');
    assert.equal(escapeMarkdown('`code` ```block```'), '\\`code\\` \\`\\`\\`block\\`\\`\\`');
    assert.equal(escapeMarkdown('__u__ ~~s~~ ||spoiler||'), '\\_\\_u\\_\\_ \\~\\~s\\~\\~ \\|\\|spoiler\\|\\|');
    assert.equal(escapeMarkdown('[a](https://x.y)'), '\\[a](https:\u200b//x.y)');
    assert.equal(escapeMarkdown('> quote\n# heading\n- item\n1. first'), '\\> quote\n\\# heading\n\\- item\n1\\. first');
    assert.equal(escapeMarkdown('a\\b'), 'a\\\\b');
    // Only where Discord would read them: a lone ~ or |, a bracket that opens no link, stay as written.
    assert.equal(escapeMarkdown('a ~ b | c [1]'), 'a ~ b | c [1]');
  });

  it('escapes what @discordjs/formatters leaves and Discord renders: block quotes, subtext, bare links', () => {
    assert.equal(formattersEscape('> quote\n>>> all\n-# small'), '> quote\n>>> all\n-# small', 'the library leaves them');
    assert.equal(escapeMarkdown('> quote\n>>> all\n-# small'), '\\> quote\n\\>>> all\n\\-# small');
    assert.equal(escapeMarkdown('see https://newpol.org'), 'see https:\u200b//newpol.org');
    // A link no longer a link keeps no formatting either: its underscores would otherwise make italics.
    assert.equal(escapeMarkdown('see https://x.org/_a_ and *b*'), 'see https:\u200b//x.org/\\_a\\_ and \\*b\\*');
  });

  it('showUserText defuses @everyone and user mentions', () => {
    assert.equal(fold(showUserText('@everyone')), '@\u200beveryone');
    assert.equal(fold(showUserText('@here <@123> <@&456> <#789>')), '@\u200bhere <\u200b@\u200b123> <\u200b@\u200b&456> <\u200b#789>');
    for (const s of ['@everyone', 'hi @everyone!', '<@123>']) {
      assert.doesNotMatch(showUserText(s), /@everyone|<@/, s);
      assert.doesNotMatch(plainUserText(s), /@everyone|<@/, s);
    }
  });

  it('showUserText escapes bold and code so no unescaped ** or backtick is left', () => {
    const shown = showUserText('**x** and `y`');
    assert.equal(shown, '\\*\\*x\\*\\* and \\`y\\`');
    assert.doesNotMatch(shown, /(?<!\\)\*\*/);
    assert.doesNotMatch(shown, /(?<!\\)`/);
  });

  it('showUserText clips a 2,000-character string to one short line', () => {
    const long = `@everyone **${'x'.repeat(1000)}**\n${'y '.repeat(492)}y`;
    assert.equal(long.length, 2000);
    const shown = showUserText(long);
    assert.ok(shown.length <= 110, `${shown.length} characters`);
    assert.ok(shown.endsWith('…'));
    assert.ok(fold(shown).startsWith('@\u200beveryone \\*\\*xxx'), shown.slice(0, 20));
    assert.doesNotMatch(shown, /\n/);
    assert.doesNotMatch(shown, /@everyone/);
    assert.doesNotMatch(shown, /(?<!\\)\*\*/);
    assert.equal(showUserText('abc '.repeat(500), 40), `${'abc '.repeat(10).slice(0, 39)}…`);
  });

  it('plainUserText keeps the text readable: one line, trimmed, no escapes', () => {
    assert.equal(plainUserText('  collective\n\tfarms  '), 'collective farms');
    assert.equal(plainUserText('**x**'), '**x**');
  });
});
