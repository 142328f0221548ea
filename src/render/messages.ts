/**
 * Every message the bot sends, as Discord API JSON. Pure functions of the
 * corpus (and, for Context, the sources' layouts) and their arguments: the console prints them, the bot sends them,
 * the tests read them.
 */
import { ButtonStyle, ComponentType, type APIButtonComponent, type APIEmbed } from 'discord-api-types/v10';
import { contextExcerpt, type SourceLayout } from '../corpus/context.js';
import type { Corpus, Quote, Source } from '../corpus/types.js';
import { t, type Language } from '../i18n/index.js';
import { pageId, quoteActionId, type PageState } from '../interactions/custom-id.js';
import { EPHEMERAL, NO_MENTIONS, notice, type MessagePayload } from '../message/payload.js';
import type { Filters } from '../search/query.js';
import { chicagoNote, essayCitation, sourceOf } from './citation.js';
import { LIMITS } from '../message/limits.js';
import { truncate } from '../text/truncate.js';
import { quoteBody, quoteSegments } from './quote-text.js';
import { escapeMarkdown, plainUserText, showUserText } from './text.js';

export const COLOR = 0x9b2c2c;

/** The quote for an embed: the speaker's words in “ ”, the essay's narration around them in italics. */
export function quoteMarkdown(q: Quote, source: Source | undefined): string {
  return quoteSegments(q, source)
    .map((s) => (s.quoted ? `“${escapeMarkdown(s.text)}”` : `*${escapeMarkdown(s.text)}*`))
    .join(' ');
}

function noteLine(corpus: Corpus, q: Quote): string {
  const note = sourceOf(corpus, q).notes[q.note - 1];
  if (!note) return `Note ${q.note}`;
  const label = `[${q.note}] ${escapeMarkdown(note.short)}`;
  const withUrl = note.url ? `${label} — ${note.url}` : label;
  // Notes are numbered per work: point readers of a second work at its own notes.
  return corpus.sources[0]?.id === q.sourceId ? withUrl : `${withUrl} (\`/source ${q.note} work:${q.sourceId}\`)`;
}

/** The embed for one quote: its words, its speaker, its source and note, its id. */
export function quoteEmbed(corpus: Corpus, q: Quote, footerExtra?: string): APIEmbed {
  const source = sourceOf(corpus, q);
  const kind = corpus.kinds.find((k) => k.id === q.kind);
  const themes = q.themes.map((id) => corpus.themes.find((t) => t.id === id)?.label ?? id).join(', ');
  const description = `${quoteMarkdown(q, source)}\n\n— ${escapeMarkdown(q.speaker)}`;
  return {
    color: COLOR,
    description: truncate(description, LIMITS.description),
    fields: [
      { name: 'Source', value: truncate(kind?.label ?? q.kind, LIMITS.fieldValue), inline: true },
      { name: 'Note', value: truncate(noteLine(corpus, q), LIMITS.fieldValue), inline: true },
      { name: 'Themes', value: truncate(themes, LIMITS.fieldValue), inline: true },
      // Curators' notes on the text (a typo kept as printed, an unclosed quote) so no one thinks the bot made them.
      ...(q.remarks ? [{ name: 'As printed', value: truncate(escapeMarkdown(q.remarks), LIMITS.fieldValue) }] : []),
    ],
    footer: {
      text: truncate(`${q.id} · quoted in ${source.author}, “${source.title.replace(/'/g, '’')}” (${source.date.slice(0, 4)})${footerExtra ? ` · ${footerExtra}` : ''}`, LIMITS.footerText),
    },
  };
}

function button(custom_id: string, label: string, style: ButtonStyle.Primary | ButtonStyle.Secondary, disabled = false): APIButtonComponent {
  return { type: ComponentType.Button, custom_id, label, style, disabled };
}

export interface ResultPage {
  readonly hits: readonly Quote[];
  readonly index: number;
  readonly query: string;
  readonly filters: Filters;
  /** Shown above the embed, e.g. when only some words matched. */
  readonly note?: string;
}

/** A page of search results: the quote at `index`, "i of N", Previous/Next, Cite and Context. */
export function resultMessage(corpus: Corpus, page: ResultPage): MessagePayload {
  const total = page.hits.length;
  const index = Math.min(Math.max(page.index, 0), total - 1);
  const q = page.hits[index];
  if (!q) return notice('No quote to show.');
  const searchLabel = describeSearch(corpus, page.query, page.filters);
  const footerExtra = `${index + 1} of ${total}${searchLabel ? ` for ${searchLabel}` : ''}`;
  const state = (i: number): PageState => ({ index: i, query: page.query, filters: page.filters });
  const prev = pageId(state(index - 1));
  const next = pageId(state(index + 1));
  const buttons: APIButtonComponent[] = [];
  if (total > 1 && prev && next) {
    // At either end the button is disabled; its id (index -1 or N) is never acted on.
    buttons.push(button(prev, '◀ Previous', ButtonStyle.Secondary, index === 0));
    buttons.push(button(next, 'Next ▶', ButtonStyle.Secondary, index === total - 1));
  }
  buttons.push(button(quoteActionId('cite', q.id), 'Cite', ButtonStyle.Primary));
  buttons.push(button(quoteActionId('context', q.id), 'Context', ButtonStyle.Secondary));
  const extra = total > 1 && !(prev && next) ? ' · shorten the search to page through' : '';
  return {
    ...(page.note ? { content: truncate(page.note, LIMITS.content) } : {}),
    embeds: [quoteEmbed(corpus, q, footerExtra + extra)],
    components: [{ type: ComponentType.ActionRow, components: buttons }],
    allowed_mentions: NO_MENTIONS,
  };
}

/** "“nep” · theme The NEP" — for footers (plain text, no Markdown). */
export function describeSearch(corpus: Corpus, query: string, filters: Filters): string {
  const bits: string[] = [];
  if (query.trim()) bits.push(`“${plainUserText(query, 60)}”`);
  if (filters.theme) bits.push(`theme ${corpus.themes.find((t) => t.id === filters.theme)?.label ?? filters.theme}`);
  if (filters.speaker) bits.push(`speaker ${plainUserText(filters.speaker, 40)}`);
  if (filters.kind) bits.push(`source ${corpus.kinds.find((k) => k.id === filters.kind)?.label ?? filters.kind}`);
  if (filters.work) bits.push(`work ${filters.work}`);
  if (filters.note !== undefined) bits.push(`note ${filters.note}`);
  return bits.join(' · ');
}

/** The Cite button's answer: the quotation and a Chicago-style note, ready to copy. */
export function citeMessage(corpus: Corpus, q: Quote): MessagePayload {
  const note = chicagoNote(corpus, q);
  const body = `${quoteBody(q, sourceOf(corpus, q))} — ${q.speaker}`;
  const description = [
    'Copy the quotation and its note:',
    codeBlock(body),
    codeBlock(note),
    /Harvard Project/.test(sourceOf(corpus, q).notes[q.note - 1]?.text ?? '')
      ? `Italicise the book titles in your own text. Note ${q.note} explains how to find the original Harvard Project transcript (\`/source ${q.note}\`).`
      : 'Italicise the book titles in your own text.',
  ].join('\n');
  return {
    embeds: [{ color: COLOR, title: `Cite ${q.id}`, description: truncate(description, LIMITS.description) }],
    flags: EPHEMERAL,
    allowed_mentions: NO_MENTIONS,
  };
}

function codeBlock(text: string): string {
  // A code block shows text verbatim; only a run of backticks could end it early.
  return `\`\`\`text\n${text.replace(/```/g, '`\u200b``')}\n\`\`\``;
}

/** The Context button's answer: the essay's sentences around the quote, the quote's words in bold. */
export function contextMessage(corpus: Corpus, layouts: ReadonlyMap<string, SourceLayout>, q: Quote): MessagePayload {
  const layout = layouts.get(q.sourceId);
  const source = sourceOf(corpus, q);
  if (!layout) return notice(`The source of ${q.id} is not loaded.`);
  const excerpt = contextExcerpt(layout, q);
  // The essay's *titles* become plain text: escaped asterisks would show as clutter.
  const body = excerpt.pieces.map((p) => (p.quoted ? `**${escapeMarkdown(p.text)}**` : escapeMarkdown(p.text.replace(/\^\[(\d+)\]/g, '[$1]').replace(/\*([^*\n]+)\*/g, '$1')))).join('');
  const text = `${excerpt.trimmedStart ? '… ' : ''}${body}${excerpt.trimmedEnd ? ' …' : ''}`;
  return {
    embeds: [
      {
        color: COLOR,
        title: truncate(`Context of ${q.id}`, LIMITS.title),
        description: truncate(text, LIMITS.description - 200),
        footer: { text: truncate(`From ${essayCitation(source)} · the quoted words in bold`, LIMITS.footerText) },
      },
    ],
    flags: EPHEMERAL,
    allowed_mentions: NO_MENTIONS,
  };
}

/** `/source n [work]`: the note in full, its link, the quotes resting on it. Notes are numbered per work; the first work is the default. */
/**
 * A note number the work does not have: its range, naming the work where the
 * corpus holds several (note 9 of one work is not note 9 of another), and a
 * command that works.
 */
export function noSuchNoteText(corpus: Corpus, source: Source, n: number, command: 'quote' | 'source'): string {
  const count = source.notes.length;
  const several = corpus.sources.length > 1;
  const which = several ? ` in *${escapeMarkdown(truncate(source.title, 80, { atWord: true }))}* (\`${source.id}\`)` : '';
  const number = Number.isFinite(n) ? ` ${n}` : ' by that number';
  if (count === 0) return `There is no note${number}${which}: this work has no notes.`;
  const work = several ? ` work:${source.id}` : '';
  // For /quote, a note that quotes rest on (some notes support the argument only, and would find nothing).
  const quoted = corpus.quotes.filter((q) => q.sourceId === source.id).reduce((most, q) => Math.max(most, q.note), 0);
  const example = command === 'source' ? `/source ${Math.min(8, count)}${work}` : `/quote note:${quoted || count}${work}`;
  return `There is no note${number}${which} — ${several ? 'its' : 'the'} notes run from 1 to ${count}. Try \`${example}\`.`;
}

export function noteMessage(corpus: Corpus, n: number, sourceId?: string): MessagePayload {
  const source = sourceId ? corpus.sourceById.get(sourceId) : corpus.sources[0];
  if (sourceId && !source) {
    return notice(`There is no work “${showUserText(sourceId, 40)}”. The works are: ${corpus.sources.map((s) => `\`${s.id}\` (${escapeMarkdown(s.title)})`).join(', ')}.`);
  }
  const note = Number.isInteger(n) ? source?.notes[n - 1] : undefined;
  if (!source) return notice('There are no works in the corpus.');
  if (!note) return notice(noSuchNoteText(corpus, source, n, 'source'));
  const resting = corpus.quotes.filter((q) => q.sourceId === source.id && q.note === n);
  const first = resting[0];
  const fields: { name: string; value: string }[] = [
    resting.length > 0
      ? { name: `Quotes resting on this note: ${resting.length}`, value: restingList(resting, n) }
      : // Some notes support the essay's argument, not a quotation: say so, rather than "0: None."
        { name: 'Quotes', value: `None of the ${corpus.quotes.filter((q) => q.sourceId === source.id).length} quotations of this work rests on this note.` },
  ];
  if (note.url) fields.push({ name: 'Link', value: note.url });
  if (first) fields.push({ name: 'The first of them', value: truncate(`${quoteMarkdown(first, source)} — ${escapeMarkdown(first.speaker)} (${first.id})`, LIMITS.fieldValue) });
  // The Harvard Project's own search finds a transcript by its quoted words: say how, where a note cites it.
  if (first && /Harvard Project/.test(note.text)) {
    fields.push({
      name: 'Finding an interview',
      value: truncate(
        `Search the Harvard Project's collection (the link above) for the quoted words inside double quotes and click “Go”, as the note says — for example \`"${searchableString(first)}"\`. The search finds the transcript of that respondent.`,
        LIMITS.fieldValue,
      ),
    });
  }
  return {
    embeds: [
      {
        color: COLOR,
        title: `Note ${n}`,
        description: truncate(note.text, LIMITS.description),
        fields,
        footer: { text: truncate(`A note of ${essayCitation(source)}`, LIMITS.footerText) },
      },
    ],
    allowed_mentions: NO_MENTIONS,
  };
}

/** The quotes on a note, one a line, as many as fit; the rest are a `/quote note:n` away. */
function restingList(quotes: readonly Quote[], n: number): string {
  const lines: string[] = [];
  let length = 0;
  for (const [i, q] of quotes.entries()) {
    const line = `\`${q.id}\` ${escapeMarkdown(truncate(q.speaker, 70))}`;
    const rest = quotes.length - i;
    const tail = `…and ${rest} more: page through them with \`/quote note:${n}\``;
    if (length + line.length + 1 > LIMITS.fieldValue - tail.length - 1) {
      lines.push(tail);
      break;
    }
    lines.push(line);
    length += line.length + 1;
  }
  return lines.join('\n');
}

/** A distinctive string of a quote to paste into the Harvard Project's search: its longest sentence. */
function searchableString(q: Quote): string {
  const sentences = q.parts.flatMap((p) => p.split(/(?<=[.!?])\s+/)).map((s) => s.replace(/[.,;:!?]+$/, ''));
  return sentences.reduce((best, s) => (s.length > best.length ? s : best), '');
}

/** `/themes`: the vocabulary with counts. */
export function themesMessage(corpus: Corpus, language: Language = 'en'): MessagePayload {
  // The themes' labels and descriptions are the corpus's vocabulary (data/themes.json): they stay as written.
  const lines = corpus.themes.map((theme) => {
    const n = corpus.quotes.filter((q) => q.themes.includes(theme.id)).length;
    return `**${escapeMarkdown(theme.label)}** (\`${theme.id}\`) — ${t(language, 'themes.count', { count: n })}\n${escapeMarkdown(theme.description)}`;
  });
  return {
    embeds: [
      {
        color: COLOR,
        title: t(language, 'themes.title'),
        description: truncate(`${lines.join('\n')}\n\n${t(language, 'themes.hint')}`, LIMITS.description),
      },
    ],
    allowed_mentions: NO_MENTIONS,
  };
}

/** `/about`: what the corpus is, where it comes from, how to cite, the commands. */
export function aboutMessage(corpus: Corpus): MessagePayload {
  const sources = corpus.sources.map((s) => `• ${essayCitation(s)} — ${corpus.quotes.filter((q) => q.sourceId === s.id).length} quotations`).join('\n');
  const description = [
    `**Hidden Voices** serves the words of Soviet citizens of the 1920s and 1930s — Harvard Project interviews with emigres, secret-police reports, letters, leaflets — as quoted in:`,
    sources,
    '',
    '**How the quotes are kept.** Every quotation is checked word for word against the essay before the bot starts, and so is what the essay says of its speaker; each carries the essay note it rests on. The speaker’s words stand in “quotation marks”; *words in italics* are the essay’s own narration around them, as it reads (its quotation marks set as single ones, and “…” where it starts inside a sentence); words in [square brackets] are the essay author’s explanations inside a quotation, not the speaker’s. Typos are kept as printed and marked “As printed”.',
    '',
    '**How to cite.** Press **Cite** under a quote for a ready-made Chicago-style note (“quoted in” the essay, with its note number). Check the original where you can: `/source` gives each note in full.',
    '',
    '**Commands**',
    '`/quote [query] [theme] [speaker] [source]` — the most relevant quote, with Previous/Next, Cite and Context',
    '`/source n` — a note of the essay in full',
    '`/themes` — the themes and how many quotes each has',
    '`/voice` — today’s voice of the day',
    '`/daily` — (server managers) post a voice of the day in a channel',
    '`/quiz ask [theme] [kind] [minutes]` — who said it? A quote with its speaker hidden and four answers; `/quiz scores`, `/quiz forget-me`',
  ].join('\n');
  return {
    embeds: [{ color: COLOR, title: 'About Hidden Voices', description: truncate(description, LIMITS.description), footer: { text: `${corpus.quotes.length} quotations · ${corpus.themes.length} themes` } }],
    allowed_mentions: NO_MENTIONS,
  };
}

