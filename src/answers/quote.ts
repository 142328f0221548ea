/**
 * The /quote flow: validate the options, search, answer with a page of
 * results, or explain politely why not. Also its buttons and autocomplete.
 */
import type { APIApplicationCommandOptionChoice } from 'discord-api-types/v10';
import type { App } from '../app.js';
import { parseQuoteButton } from '../interactions/custom-id.js';
import type { ButtonRequest, Reply } from '../interactions/types.js';
import { LIMITS } from '../message/limits.js';
import { notice } from '../message/payload.js';
import { truncate } from '../text/truncate.js';
import { t, type Language } from '../i18n/index.js';
import { citeMessage, contextMessage, findKind, findTheme, kindLabel, noSuchNoteText, noThemeText, noWorkText, resultMessage } from '../render/messages.js';
import { showUserText } from '../render/text.js';
import { resolveFacet } from '../search/facets.js';
import type { SearchOutcome } from '../search/engine.js';
import { isEmptyQuery, MAX_QUERY_LENGTH, parseQuery, type Filters } from '../search/query.js';
import { words } from '../search/terms.js';

export interface QuoteOptions {
  readonly query?: string;
  readonly theme?: string;
  readonly speaker?: string;
  readonly source?: string;
  readonly note?: number;
  /** A work's id or title (autocomplete offers the titles, and sends the id). */
  readonly work?: string;
}

type Checked = { ok: true; filters: Filters; query: string } | { ok: false; reply: Reply };

const message = (payload: ReturnType<typeof notice>): Reply => ({ type: 'message', payload });

/** Turns what the user typed into a query and filters, or a polite refusal. */
export function checkQuoteOptions(app: App, o: QuoteOptions, language: Language = 'en'): Checked {
  const refuse = (key: string, values: Record<string, unknown> = {}): Checked => ({ ok: false, reply: message(notice(t(language, key, values))) });
  const query = (o.query ?? '').trim();
  if (query.length > MAX_QUERY_LENGTH) return refuse('quote.errors.tooLong', { max: MAX_QUERY_LENGTH, length: query.length });
  const filters: { theme?: string; speaker?: string; kind?: string; note?: number; work?: string } = {};
  let work = app.corpus.sources.length === 1 ? app.corpus.sources[0] : undefined;
  if (o.work?.trim()) {
    const w = o.work.trim().toLowerCase();
    const found = app.corpus.sources.find((s) => s.id === w || s.title.toLowerCase() === w);
    if (!found) return { ok: false, reply: message(notice(noWorkText(app.corpus, o.work, language))) };
    work = found;
    // One work alone is every quote: no filter, so its buttons read as before.
    if (app.corpus.sources.length > 1) filters.work = found.id;
  }
  if (o.theme?.trim()) {
    const theme = findTheme(app.corpus, o.theme);
    if (!theme) return { ok: false, reply: message(notice(noThemeText(app.corpus, o.theme, language))) };
    filters.theme = theme.id;
  }
  if (o.speaker?.trim()) {
    const facet = resolveFacet(o.speaker, app.search.facets);
    if (!facet) {
      const examples = app.search.facets.slice(0, 6).map((f) => `\`${f.value}\``).join(', ');
      return refuse('quote.errors.noSpeaker', { input: showUserText(o.speaker, 40), examples });
    }
    filters.speaker = facet.key;
  }
  if (o.source?.trim()) {
    // Typed without the autocomplete, a kind may be in the reader's words (`Листовка`), as the choices show it.
    const kind = findKind(app.corpus, o.source);
    if (!kind) return refuse('quote.errors.noKind', { input: showUserText(o.source, 40), kinds: app.corpus.kinds.map((k) => `\`${k.id}\``).join(', ') });
    filters.kind = kind.id;
  }
  if (o.note !== undefined) {
    // Each work numbers its own notes: note 3 of one is not note 3 of another.
    if (!work) return refuse('quote.errors.whoseNote', { n: o.note, work: app.corpus.sources[0]?.id ?? '' });
    if (!Number.isInteger(o.note) || o.note < 1 || o.note > work.notes.length) {
      return { ok: false, reply: message(notice(noSuchNoteText(app.corpus, work, o.note, 'quote', language))) };
    }
    filters.note = o.note;
  }
  return { ok: true, filters, query };
}

/** `/quote`: the best match, or with no query a random quote (that still pages through the rest). */
export function answerQuote(app: App, o: QuoteOptions, language: Language = 'en'): Reply {
  const checked = checkQuoteOptions(app, o, language);
  if (!checked.ok) return checked.reply;
  const { query, filters } = checked;
  // Punctuation alone ("!!!") is a search for nothing, not a request for a random quote.
  const parsed = parseQuery(query);
  // Only stop words, question words and the frame of a question ("what did they say"): nothing to search on.
  if (query !== '' && parsed.phrases.length === 0 && parsed.words.length > 0 && app.search.searchedWords(parsed).length === 0) {
    return message(notice(t(language, 'quote.errors.tooCommon', { input: showUserText(query, 40) })));
  }
  if (query !== '' && isEmptyQuery(parsed)) {
    return message(notice(t(language, 'quote.errors.noWords', { input: showUserText(query, 40) })));
  }
  const outcome = app.search.search(query, filters);
  const hits = outcome.hits.map((h) => h.quote);
  if (hits.length === 0) return message(notice(noMatchText(app, query, filters, language)));
  const index = outcome.mode === 'browse' ? Math.floor(app.random() * hits.length) : 0;
  const note = outcomeNote(outcome, language);
  return { type: 'message', payload: resultMessage(app.corpus, { hits, index, query, filters, ...(note ? { note } : {}) }, language) };
}

/** Says when the results are not exactly what was typed: close spellings, or only some of the words. */
function outcomeNote(outcome: SearchOutcome, language: Language): string | undefined {
  const lines: string[] = [];
  for (const c of outcome.corrected ?? []) {
    lines.push(t(language, 'quote.notes.corrected', { word: showUserText(c.word, 40), to: c.to.map((w) => showUserText(w, 30)).join(', ') }));
  }
  for (const c of outcome.concepts ?? []) {
    const to = c.to.map((w) => showUserText(w, 40)).join(', ');
    lines.push(t(language, CYRILLIC.test(c.word) ? 'quote.notes.conceptForeign' : 'quote.notes.concept', { word: showUserText(c.word, 40), to }));
  }
  if (outcome.untranslated?.length) lines.push(untranslatedText(outcome.untranslated, language));
  if (outcome.mode === 'any') lines.push(t(language, 'quote.notes.any'));
  return lines.length ? lines.join('\n') : undefined;
}

/** Cyrillic letters: a query in Russian (or Ukrainian, Belarusian) while the quotations are in English. */
const CYRILLIC = /\p{Script=Cyrillic}/u;

function untranslatedText(words: readonly string[], language: Language): string {
  return t(language, 'quote.notes.untranslated', { words: words.map((w) => t(language, 'quote.search.query', { value: showUserText(w, 30) })).join(', ') });
}

function noMatchText(app: App, query: string, filters: Filters, language: Language): string {
  const filtered = Object.keys(filters).length > 0;
  const lines = [query ? t(language, filtered ? 'quote.none.queryFiltered' : 'quote.none.query', { input: showUserText(query, 80) }) : t(language, 'quote.none.filters')];
  const emptyNote = emptyNoteText(app, filters, language);
  if (emptyNote) {
    // Not a search that was too narrow: no quotation at all rests on this note.
    if (!query) return emptyNote;
    lines.push(emptyNote);
  }
  const foreign = words(query).filter((w) => CYRILLIC.test(w));
  if (foreign.length > 0) {
    const known = app.search.search(query).concepts ?? [];
    lines.push(
      known.length
        ? t(language, 'quote.none.known', { pairs: known.map((c) => t(language, 'quote.none.pair', { word: showUserText(c.word, 30), to: c.to.map((w) => `\`${w}\``).join(', ') })).join('; ') })
        : untranslatedText(foreign, language),
    );
  } else if (query) {
    const close = app.search.suggestTerms(query).filter((term) => term.toLowerCase() !== query.toLowerCase());
    if (close.length) lines.push(t(language, 'quote.none.close', { terms: close.map((term) => `\`${term}\``).join(', ') }));
  }
  const themes = query ? app.search.themesMatching(query) : [];
  const themeList = (themes.length ? themes : app.corpus.themes.slice(0, 6)).map((th) => `\`${th.id}\``).join(', ');
  lines.push(t(language, 'quote.none.themes', { themes: themeList }));
  return lines.join('\n');
}

/** When the note filter names a note no quotation of its work rests on: which notes they do rest on. */
function emptyNoteText(app: App, filters: Filters, language: Language): string | null {
  const note = filters.note;
  const work = filters.work ? app.corpus.sourceById.get(filters.work) : app.corpus.sources.length === 1 ? app.corpus.sources[0] : undefined;
  if (note === undefined || !work) return null;
  const own = app.corpus.quotes.filter((q) => q.sourceId === work.id);
  if (own.some((q) => q.note === note)) return null;
  const several = app.corpus.sources.length > 1;
  const rested = [...new Set(own.map((q) => q.note))].sort((a, b) => a - b);
  const command = `${t(language, 'cmd.source')} ${note}${several ? ` ${t(language, 'commands.source.options.work.name')}:${work.id}` : ''}`;
  const of = several ? t(language, 'quote.emptyNote.of', { id: work.id }) : '';
  const rest = rested.length ? t(language, 'quote.emptyNote.rested', { notes: rested.join(', ') }) : '';
  return `${t(language, 'quote.emptyNote.none', { of, n: note, command })}${rest}.`;
}

/** Previous/Next, Cite and Context, in the language of whoever presses (the ids carry none). */
export function answerQuoteButton(app: App, request: ButtonRequest): Reply {
  const language = request.language ?? 'en';
  const parsed = parseQuoteButton(request.customId);
  if (!parsed) return message(notice(t(language, 'quote.errors.oldButton')));
  if (parsed.action !== 'page') {
    const q = app.corpus.byId.get(parsed.quoteId);
    if (!q) return message(notice(t(language, 'quote.errors.goneQuote', { id: parsed.quoteId })));
    return message(parsed.action === 'cite' ? citeMessage(app.corpus, q, language) : contextMessage(app.corpus, app.layouts, q, language));
  }
  if (request.messageOwnerId && request.messageOwnerId !== request.userId) {
    return message(notice(t(language, 'quote.errors.notYourPages')));
  }
  const { state } = parsed;
  const outcome = app.search.search(state.query, state.filters);
  const hits = outcome.hits.map((h) => h.quote);
  if (hits.length === 0) return message(notice(t(language, 'quote.errors.goneResults')));
  const note = outcomeNote(outcome, language);
  return { type: 'update', payload: resultMessage(app.corpus, { hits, index: state.index, query: state.query, filters: state.filters, ...(note ? { note } : {}) }, language) };
}

type Choice = APIApplicationCommandOptionChoice<string>;

function choice(name: string, value: string): Choice {
  return { name: truncate(name, LIMITS.choiceName, { atWord: false }), value: truncate(value, LIMITS.choiceValue, { mark: '', atWord: false }) };
}

/** Suggestions while typing each /quote option. */
export function autocompleteQuote(app: App, option: string, typed: string, language: Language = 'en'): Choice[] {
  const needle = typed.trim().toLowerCase();
  const out: Choice[] = [];
  if (option === 'theme') {
    for (const th of app.search.themesMatching(needle)) out.push(choice(`${th.label} (${countTheme(app, th.id)})`, th.id));
  } else if (option === 'speaker') {
    for (const f of app.search.facets) if (!needle || f.key.includes(needle)) out.push(choice(`${f.label} (${f.count})`, f.key));
  } else if (option === 'source') {
    for (const k of app.corpus.kinds) {
      const label = kindLabel(app.corpus, k.id, language);
      if (!needle || k.id.includes(needle) || k.label.toLowerCase().includes(needle) || label.toLowerCase().includes(needle)) out.push(choice(label, k.id));
    }
  } else if (option === 'work') {
    for (const s of app.corpus.sources) {
      if (!needle || s.id.includes(needle) || s.title.toLowerCase().includes(needle) || s.author.toLowerCase().includes(needle)) {
        out.push(choice(`${truncate(s.title, 60, { atWord: false })} — ${s.author} (${app.corpus.quotes.filter((q) => q.sourceId === s.id).length})`, s.id));
      }
    }
  } else if (option === 'query') {
    if (needle) out.push(choice(typed.trim(), typed.trim()));
    for (const word of app.search.completeWords(needle, 10)) out.push(choice(word, word));
    const asTheme = (label: string) => t(language, 'quote.auto.theme', { label });
    for (const th of app.search.themesMatching(needle)) out.push(choice(asTheme(th.label), th.id.replace(/-/g, ' ')));
    for (const f of app.search.facets) if (needle.length >= 2 && f.value.toLowerCase().startsWith(needle)) out.push(choice(t(language, 'quote.auto.speaker', { label: f.value }), f.value));
    if (!needle) for (const th of app.corpus.themes) out.push(choice(asTheme(th.label), th.id.replace(/-/g, ' ')));
  }
  const seen = new Set<string>();
  return out.filter((c) => !seen.has(c.value) && seen.add(c.value)).slice(0, LIMITS.autocompleteChoices);
}

function countTheme(app: App, id: string): number {
  return app.corpus.quotes.filter((q) => q.themes.includes(id)).length;
}
