/**
 * Every message the bot sends, as Discord API JSON. Pure functions of the
 * corpus (and, for Context, the sources' layouts) and their arguments: the console prints them, the bot sends them,
 * the tests read them.
 */
import { ButtonStyle, ComponentType, type APIButtonComponent, type APIEmbed } from 'discord-api-types/v10';
import { contextExcerpt, type SourceLayout } from '../corpus/context.js';
import type { Corpus, Quote, Source, SourceKind, Theme } from '../corpus/types.js';
import { hasKey, LANGUAGES, t, type Language } from '../i18n/index.js';
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

function noteLine(corpus: Corpus, q: Quote, language: Language): string {
  const note = sourceOf(corpus, q).notes[q.note - 1];
  if (!note) return t(language, 'quote.noteNumber', { n: q.note });
  const label = `[${q.note}] ${escapeMarkdown(note.short)}`;
  const withUrl = note.url ? `${label} — ${note.url}` : label;
  // Notes are numbered per work: point readers of a second work at its own notes.
  return corpus.sources[0]?.id === q.sourceId ? withUrl : `${withUrl} (${t(language, 'quote.otherWorkNote', { n: q.note, work: q.sourceId })})`;
}

/** A source kind's label in the reader's language; the corpus's own label for a kind the bot has no words for. */
export function kindLabel(corpus: Corpus, kind: string, language: Language): string {
  const key = `kinds.${kind}`;
  if (hasKey(language, key)) return t(language, key);
  return corpus.kinds.find((k) => k.id === kind)?.label ?? kind;
}

/**
 * The kind a typed source names: its id, the corpus's label, or its label in any of the bot's languages
 * (`Листовка`, `Інтерв'ю`), whatever the typist's Discord language; null when it names none.
 */
export function findKind(corpus: Corpus, input: string): SourceKind | null {
  const fold = (text: string) => text.trim().toLowerCase().replace(/[’ʼ`]/g, "'");
  const typed = fold(input);
  if (typed === '') return null;
  return corpus.kinds.find((k) => fold(k.id) === typed || fold(k.label) === typed || LANGUAGES.some((language) => fold(kindLabel(corpus, k.id, language)) === typed)) ?? null;
}

/** A theme by its id or its label, as typed (any case); null when the corpus has none such. */
export function findTheme(corpus: Corpus, input: string): Theme | null {
  const folded = input.trim().toLowerCase();
  return folded === '' ? null : (corpus.themes.find((th) => th.id === folded || th.label.toLowerCase() === folded) ?? null);
}

/** The refusal of a theme the corpus lacks, with the themes it has. */
export function noThemeText(corpus: Corpus, input: string, language: Language): string {
  return t(language, 'quote.errors.noTheme', { input: showUserText(input, 40), themes: corpus.themes.map((th) => `\`${th.id}\``).join(', ') });
}

/**
 * The embed for one quote: its words, its speaker, its source and note, its id.
 * The bot's own words (headings, "quoted in") are in the reader's language; the
 * quotation, the speaker, the note and the themes' labels stay as the corpus has them.
 */
export function quoteEmbed(corpus: Corpus, q: Quote, footerExtra?: string, language: Language = 'en'): APIEmbed {
  const source = sourceOf(corpus, q);
  const themes = q.themes.map((id) => corpus.themes.find((t) => t.id === id)?.label ?? id).join(', ');
  const description = `${quoteMarkdown(q, source)}\n\n— ${escapeMarkdown(q.speaker)}`;
  return {
    color: COLOR,
    description: truncate(description, LIMITS.description),
    fields: [
      { name: t(language, 'quote.fields.source'), value: truncate(kindLabel(corpus, q.kind, language), LIMITS.fieldValue), inline: true },
      { name: t(language, 'quote.fields.note'), value: truncate(noteLine(corpus, q, language), LIMITS.fieldValue), inline: true },
      { name: t(language, 'quote.fields.themes'), value: truncate(themes, LIMITS.fieldValue), inline: true },
      // Curators' notes on the text (a typo kept as printed, an unclosed quote) so no one thinks the bot made them.
      // The remark is the curators' English, as the corpus writes it, like the speaker's description.
      ...(q.remarks ? [{ name: t(language, 'quote.fields.asPrinted'), value: truncate(escapeMarkdown(q.remarks), LIMITS.fieldValue) }] : []),
    ],
    footer: {
      text: truncate(
        `${t(language, 'quote.footer', { id: q.id, author: source.author, title: source.title.replace(/'/g, '’'), year: source.date.slice(0, 4) })}${footerExtra ? ` · ${footerExtra}` : ''}`,
        LIMITS.footerText,
      ),
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

/**
 * A page of search results: the quote at `index`, "i of N", Previous/Next, Cite and Context.
 * The buttons' custom ids carry no language: whoever presses gets their own.
 */
export function resultMessage(corpus: Corpus, page: ResultPage, language: Language = 'en'): MessagePayload {
  const total = page.hits.length;
  const index = Math.min(Math.max(page.index, 0), total - 1);
  const q = page.hits[index];
  if (!q) return notice(t(language, 'quote.noQuote'));
  const searchLabel = describeSearch(corpus, page.query, page.filters, language);
  const footerExtra = searchLabel ? t(language, 'quote.positionFor', { index: index + 1, total, search: searchLabel }) : t(language, 'quote.position', { index: index + 1, total });
  const state = (i: number): PageState => ({ index: i, query: page.query, filters: page.filters });
  const prev = pageId(state(index - 1));
  const next = pageId(state(index + 1));
  const buttons: APIButtonComponent[] = [];
  if (total > 1 && prev && next) {
    // At either end the button is disabled; its id (index -1 or N) is never acted on.
    buttons.push(button(prev, t(language, 'buttons.previous'), ButtonStyle.Secondary, index === 0));
    buttons.push(button(next, t(language, 'buttons.next'), ButtonStyle.Secondary, index === total - 1));
  }
  buttons.push(...quoteButtons(q, language));
  const extra = total > 1 && !(prev && next) ? ` · ${t(language, 'quote.shortenToPage')}` : '';
  return {
    ...(page.note ? { content: truncate(page.note, LIMITS.content) } : {}),
    embeds: [quoteEmbed(corpus, q, footerExtra + extra, language)],
    components: [{ type: ComponentType.ActionRow, components: buttons }],
    allowed_mentions: NO_MENTIONS,
  };
}

/** Cite and Context under a quote: the same ids in every language. */
export function quoteButtons(q: Quote, language: Language): APIButtonComponent[] {
  return [button(quoteActionId('cite', q.id), t(language, 'buttons.cite'), ButtonStyle.Primary), button(quoteActionId('context', q.id), t(language, 'buttons.context'), ButtonStyle.Secondary)];
}

/** "“nep” · theme The NEP" — for footers (plain text, no Markdown). */
export function describeSearch(corpus: Corpus, query: string, filters: Filters, language: Language = 'en'): string {
  const bits: string[] = [];
  if (query.trim()) bits.push(t(language, 'quote.search.query', { value: plainUserText(query, 60) }));
  if (filters.theme) bits.push(t(language, 'quote.search.theme', { value: corpus.themes.find((th) => th.id === filters.theme)?.label ?? filters.theme }));
  if (filters.speaker) bits.push(t(language, 'quote.search.speaker', { value: plainUserText(filters.speaker, 40) }));
  if (filters.kind) bits.push(t(language, 'quote.search.source', { value: kindLabel(corpus, filters.kind, language) }));
  if (filters.work) bits.push(t(language, 'quote.search.work', { value: filters.work }));
  if (filters.note !== undefined) bits.push(t(language, 'quote.search.note', { value: filters.note }));
  return bits.join(' · ');
}

/**
 * The Cite button's answer: the quotation and a Chicago-style note, ready to copy.
 * The note itself stays in English in every language: it is built from the
 * source's own words (the speaker's description, the essay's title) and
 * cites an English-language publication; the instructions around it are translated.
 */
export function citeMessage(corpus: Corpus, q: Quote, language: Language = 'en'): MessagePayload {
  const note = chicagoNote(corpus, q);
  const body = `${quoteBody(q, sourceOf(corpus, q))} — ${q.speaker}`;
  const description = [
    t(language, 'cite.copy'),
    codeBlock(body),
    codeBlock(note),
    /Harvard Project/.test(sourceOf(corpus, q).notes[q.note - 1]?.text ?? '') ? t(language, 'cite.italiciseHarvard', { n: q.note }) : t(language, 'cite.italicise'),
  ].join('\n');
  return {
    embeds: [{ color: COLOR, title: t(language, 'cite.title', { id: q.id }), description: truncate(description, LIMITS.description) }],
    flags: EPHEMERAL,
    allowed_mentions: NO_MENTIONS,
  };
}

function codeBlock(text: string): string {
  // A code block shows text verbatim; only a run of backticks could end it early.
  return `\`\`\`text\n${text.replace(/```/g, '`\u200b``')}\n\`\`\``;
}

/** The Context button's answer: the essay's sentences around the quote, the quote's words in bold. */
export function contextMessage(corpus: Corpus, layouts: ReadonlyMap<string, SourceLayout>, q: Quote, language: Language = 'en'): MessagePayload {
  const layout = layouts.get(q.sourceId);
  const source = sourceOf(corpus, q);
  if (!layout) return notice(t(language, 'context.notLoaded', { id: q.id }));
  const excerpt = contextExcerpt(layout, q);
  // The essay's *titles* become plain text: escaped asterisks would show as clutter.
  const body = excerpt.pieces.map((p) => (p.quoted ? `**${escapeMarkdown(p.text)}**` : escapeMarkdown(p.text.replace(/\^\[(\d+)\]/g, '[$1]').replace(/\*([^*\n]+)\*/g, '$1')))).join('');
  const text = `${excerpt.trimmedStart ? '… ' : ''}${body}${excerpt.trimmedEnd ? ' …' : ''}`;
  return {
    embeds: [
      {
        color: COLOR,
        title: truncate(t(language, 'context.title', { id: q.id }), LIMITS.title),
        description: truncate(text, LIMITS.description - 200),
        footer: { text: truncate(t(language, 'context.footer', { citation: essayCitation(source) }), LIMITS.footerText) },
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
export function noSuchNoteText(corpus: Corpus, source: Source, n: number, command: 'quote' | 'source', language: Language = 'en'): string {
  const count = source.notes.length;
  const several = corpus.sources.length > 1;
  const which = several ? t(language, 'note.missing.in', { title: escapeMarkdown(truncate(source.title, 80, { atWord: true })), id: source.id }) : '';
  const known = Number.isFinite(n);
  if (count === 0) return t(language, known ? 'note.missing.empty' : 'note.missing.emptyAny', { n, which });
  const work = several ? ` ${t(language, 'commands.source.options.work.name')}:${source.id}` : '';
  // For /quote, a note that quotes rest on (some notes support the argument only, and would find nothing).
  const quoted = corpus.quotes.filter((q) => q.sourceId === source.id).reduce((most, q) => Math.max(most, q.note), 0);
  const example =
    command === 'source'
      ? `${t(language, 'cmd.source')} ${Math.min(8, count)}${work}`
      : `${t(language, 'cmd.quote')} ${t(language, 'commands.quote.options.note.name')}:${quoted || count}${work}`;
  const key = `note.missing.${several ? 'rangeWork' : 'range'}${known ? '' : 'Any'}`;
  return t(language, key, { n, which, last: count, example });
}

export function noteMessage(corpus: Corpus, n: number, sourceId?: string, language: Language = 'en'): MessagePayload {
  const source = sourceId ? corpus.sourceById.get(sourceId) : corpus.sources[0];
  if (sourceId && !source) return notice(noWorkText(corpus, sourceId, language));
  const note = Number.isInteger(n) ? source?.notes[n - 1] : undefined;
  if (!source) return notice(t(language, 'note.noWorks'));
  if (!note) return notice(noSuchNoteText(corpus, source, n, 'source', language));
  const resting = corpus.quotes.filter((q) => q.sourceId === source.id && q.note === n);
  const first = resting[0];
  const fields: { name: string; value: string }[] = [
    resting.length > 0
      ? { name: t(language, 'note.resting', { count: resting.length }), value: restingList(resting, n, language) }
      : // Some notes support the essay's argument, not a quotation: say so, rather than "0: None."
        { name: t(language, 'note.quotes'), value: t(language, 'note.noneResting', { count: corpus.quotes.filter((q) => q.sourceId === source.id).length }) },
  ];
  if (note.url) fields.push({ name: t(language, 'note.link'), value: note.url });
  if (first) fields.push({ name: t(language, 'note.first'), value: truncate(`${quoteMarkdown(first, source)} — ${escapeMarkdown(first.speaker)} (${first.id})`, LIMITS.fieldValue) });
  // The Harvard Project's own search finds a transcript by its quoted words: say how, where a note cites it.
  if (first && /Harvard Project/.test(note.text)) {
    fields.push({
      name: t(language, 'note.findingTitle'),
      value: truncate(t(language, 'note.finding', { words: searchableString(first) }), LIMITS.fieldValue),
    });
  }
  return {
    embeds: [
      {
        color: COLOR,
        title: t(language, 'note.title', { n }),
        // The note is the source's own text: never translated.
        description: truncate(note.text, LIMITS.description),
        fields,
        footer: { text: truncate(t(language, 'note.footer', { citation: essayCitation(source) }), LIMITS.footerText) },
      },
    ],
    allowed_mentions: NO_MENTIONS,
  };
}

/** "There is no work “x”. The works are: …" */
export function noWorkText(corpus: Corpus, input: string, language: Language): string {
  return t(language, 'note.noWork', { input: showUserText(input, 40), works: corpus.sources.map((s) => `\`${s.id}\` (${escapeMarkdown(s.title)})`).join(', ') });
}

/** The quotes on a note, one a line, as many as fit; the rest are a `/quote note:n` away. */
function restingList(quotes: readonly Quote[], n: number, language: Language): string {
  const lines: string[] = [];
  let length = 0;
  for (const [i, q] of quotes.entries()) {
    const line = `\`${q.id}\` ${escapeMarkdown(truncate(q.speaker, 70))}`;
    const rest = quotes.length - i;
    const tail = t(language, 'note.more', { count: rest, n });
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
export function aboutMessage(corpus: Corpus, language: Language = 'en'): MessagePayload {
  const sources = corpus.sources.map((s) => `• ${essayCitation(s)} — ${t(language, 'about.quotations', { count: corpus.quotes.filter((q) => q.sourceId === s.id).length })}`).join('\n');
  const description = [
    t(language, 'about.intro'),
    sources,
    '',
    t(language, 'about.kept'),
    '',
    t(language, 'about.cite'),
    '',
    t(language, 'about.commandsTitle'),
    ...(['quote', 'source', 'themes', 'voice', 'daily', 'quiz'] as const).map((c) => t(language, `about.commands.${c}`)),
  ].join('\n');
  const footer = `${t(language, 'about.quotations', { count: corpus.quotes.length })} · ${t(language, 'about.themes', { count: corpus.themes.length })}`;
  return {
    embeds: [{ color: COLOR, title: t(language, 'about.title'), description: truncate(description, LIMITS.description), footer: { text: footer } }],
    allowed_mentions: NO_MENTIONS,
  };
}
