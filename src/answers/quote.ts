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
import { citeMessage, contextMessage, noSuchNoteText, resultMessage } from '../render/messages.js';
import { escapeMarkdown, showUserText } from '../render/text.js';
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
export function checkQuoteOptions(app: App, o: QuoteOptions): Checked {
  const query = (o.query ?? '').trim();
  if (query.length > MAX_QUERY_LENGTH) {
    return { ok: false, reply: message(notice(`Searches can be up to ${MAX_QUERY_LENGTH} characters; yours has ${query.length}. Try a few key words, like \`/quote collective farms\`.`)) };
  }
  const filters: { theme?: string; speaker?: string; kind?: string; note?: number; work?: string } = {};
  let work = app.corpus.sources.length === 1 ? app.corpus.sources[0] : undefined;
  if (o.work?.trim()) {
    const w = o.work.trim().toLowerCase();
    const found = app.corpus.sources.find((s) => s.id === w || s.title.toLowerCase() === w);
    if (!found) {
      return { ok: false, reply: message(notice(`There is no work “${showUserText(o.work, 40)}”. The works are: ${app.corpus.sources.map((s) => `\`${s.id}\` (${escapeMarkdown(s.title)})`).join(', ')}.`)) };
    }
    work = found;
    // One work alone is every quote: no filter, so its buttons read as before.
    if (app.corpus.sources.length > 1) filters.work = found.id;
  }
  if (o.theme?.trim()) {
    const t = o.theme.trim().toLowerCase();
    const theme = app.corpus.themes.find((th) => th.id === t || th.label.toLowerCase() === t);
    if (!theme) {
      return { ok: false, reply: message(notice(`There is no theme “${showUserText(o.theme, 40)}”. The themes are: ${app.corpus.themes.map((th) => `\`${th.id}\``).join(', ')}.`)) };
    }
    filters.theme = theme.id;
  }
  if (o.speaker?.trim()) {
    const facet = resolveFacet(o.speaker, app.search.facets);
    if (!facet) {
      const examples = app.search.facets.slice(0, 6).map((f) => `\`${f.value}\``).join(', ');
      return { ok: false, reply: message(notice(`No speaker in the corpus is described as “${showUserText(o.speaker, 40)}”. Try an occupation, nationality, gender or age group, such as ${examples}.`)) };
    }
    filters.speaker = facet.key;
  }
  if (o.source?.trim()) {
    const s = o.source.trim().toLowerCase();
    const kind = app.corpus.kinds.find((k) => k.id === s || k.label.toLowerCase() === s);
    if (!kind) {
      return { ok: false, reply: message(notice(`There is no source kind “${showUserText(o.source, 40)}”. The kinds are: ${app.corpus.kinds.map((k) => `\`${k.id}\``).join(', ')}.`)) };
    }
    filters.kind = kind.id;
  }
  if (o.note !== undefined) {
    // Each work numbers its own notes: note 3 of one is not note 3 of another.
    if (!work) {
      return { ok: false, reply: message(notice(`Each work numbers its own notes: add \`work:\` to say whose note ${o.note}, e.g. \`/quote note:${o.note} work:${app.corpus.sources[0]?.id ?? ''}\`.`)) };
    }
    if (!Number.isInteger(o.note) || o.note < 1 || o.note > work.notes.length) {
      return { ok: false, reply: message(notice(noSuchNoteText(app.corpus, work, o.note, 'quote'))) };
    }
    filters.note = o.note;
  }
  return { ok: true, filters, query };
}

/** `/quote`: the best match, or with no query a random quote (that still pages through the rest). */
export function answerQuote(app: App, o: QuoteOptions): Reply {
  const checked = checkQuoteOptions(app, o);
  if (!checked.ok) return checked.reply;
  const { query, filters } = checked;
  // Punctuation alone ("!!!") is a search for nothing, not a request for a random quote.
  const parsed = parseQuery(query);
  // Only stop words, question words and the frame of a question ("what did they say"): nothing to search on.
  if (query !== '' && parsed.phrases.length === 0 && parsed.words.length > 0 && app.search.searchedWords(parsed).length === 0) {
    return message(notice(`“${showUserText(query, 40)}” is too common to search on: every quote has it. Add a word that says what you are looking for, like \`/quote the collective farms\`.`));
  }
  if (query !== '' && isEmptyQuery(parsed)) {
    return message(notice(`“${showUserText(query, 40)}” has no words to search for. Try a word or two, like \`/quote bandit\`, or \`/quote\` alone for a random voice.`));
  }
  const outcome = app.search.search(query, filters);
  const hits = outcome.hits.map((h) => h.quote);
  if (hits.length === 0) return message(notice(noMatchText(app, query, filters)));
  const index = outcome.mode === 'browse' ? Math.floor(app.random() * hits.length) : 0;
  const note = outcomeNote(outcome);
  return { type: 'message', payload: resultMessage(app.corpus, { hits, index, query, filters, ...(note ? { note } : {}) }) };
}

/** Says when the results are not exactly what was typed: close spellings, or only some of the words. */
function outcomeNote(outcome: SearchOutcome): string | undefined {
  const lines: string[] = [];
  for (const c of outcome.corrected ?? []) {
    lines.push(`“${showUserText(c.word, 40)}” is not in the corpus; showing close words: ${c.to.map((w) => showUserText(w, 30)).join(', ')}.`);
  }
  for (const c of outcome.concepts ?? []) {
    const to = c.to.map((w) => showUserText(w, 40)).join(', ');
    lines.push(CYRILLIC.test(c.word) ? `The quotations are in English: “${showUserText(c.word, 40)}” was searched as ${to}.` : `“${showUserText(c.word, 40)}” is not the essay’s word; also searched: ${to}.`);
  }
  if (outcome.untranslated?.length) lines.push(untranslatedText(outcome.untranslated));
  if (outcome.mode === 'any') lines.push('No quote has all of those words; these have some of them.');
  return lines.length ? lines.join('\n') : undefined;
}

/** Cyrillic letters: a query in Russian (or Ukrainian, Belarusian) while the quotations are in English. */
const CYRILLIC = /\p{Script=Cyrillic}/u;

function untranslatedText(words: readonly string[]): string {
  return `The quotations are in English (translated from Russian), and no English word is known here for ${words.map((w) => `“${showUserText(w, 30)}”`).join(', ')}: search in English, like \`/quote famine\` or \`/quote collective farm\`.`;
}

function noMatchText(app: App, query: string, filters: Filters): string {
  const lines = [query ? `No quote matches “${showUserText(query, 80)}”${Object.keys(filters).length ? ' with those filters' : ''}.` : 'No quote matches those filters.'];
  const emptyNote = emptyNoteText(app, filters);
  if (emptyNote) {
    // Not a search that was too narrow: no quotation at all rests on this note.
    if (!query) return emptyNote;
    lines.push(emptyNote);
  }
  const foreign = words(query).filter((w) => CYRILLIC.test(w));
  if (foreign.length > 0) {
    const known = app.search.search(query).concepts ?? [];
    lines.push(known.length ? `The quotations are in English: ${known.map((c) => `“${showUserText(c.word, 30)}” is ${c.to.map((w) => `\`${w}\``).join(', ')}`).join('; ')}.` : untranslatedText(foreign));
  } else if (query) {
    const close = app.search.suggestTerms(query).filter((t) => t.toLowerCase() !== query.toLowerCase());
    if (close.length) lines.push(`Close terms in the corpus: ${close.map((t) => `\`${t}\``).join(', ')}.`);
  }
  const themes = query ? app.search.themesMatching(query) : [];
  const themeList = (themes.length ? themes : app.corpus.themes.slice(0, 6)).map((t) => `\`${t.id}\``).join(', ');
  lines.push(`Themes to try: ${themeList} — or \`/themes\` for all of them.`);
  return lines.join('\n');
}

/** When the note filter names a note no quotation of its work rests on: which notes they do rest on. */
function emptyNoteText(app: App, filters: Filters): string | null {
  const note = filters.note;
  const work = filters.work ? app.corpus.sourceById.get(filters.work) : app.corpus.sources.length === 1 ? app.corpus.sources[0] : undefined;
  if (note === undefined || !work) return null;
  const own = app.corpus.quotes.filter((q) => q.sourceId === work.id);
  if (own.some((q) => q.note === note)) return null;
  const several = app.corpus.sources.length > 1;
  const rested = [...new Set(own.map((q) => q.note))].sort((a, b) => a - b);
  const cites = `\`/source ${note}${several ? ` work:${work.id}` : ''}\` shows what it cites`;
  return `No quotation${several ? ` of \`${work.id}\`` : ''} rests on note ${note} (${cites})${rested.length ? `; quotations rest on notes ${rested.join(', ')}` : ''}.`;
}

/** Previous/Next, Cite and Context. */
export function answerQuoteButton(app: App, request: ButtonRequest): Reply {
  const parsed = parseQuoteButton(request.customId);
  if (!parsed) return message(notice('This button is from an older version of the bot. Run `/quote` again.'));
  if (parsed.action !== 'page') {
    const q = app.corpus.byId.get(parsed.quoteId);
    if (!q) return message(notice(`Quote ${parsed.quoteId} is no longer in the corpus. Run \`/quote\` again.`));
    return message(parsed.action === 'cite' ? citeMessage(app.corpus, q) : contextMessage(app.corpus, app.layouts, q));
  }
  if (request.messageOwnerId && request.messageOwnerId !== request.userId) {
    return message(notice('Only the person who searched can turn these pages. Run `/quote` to search yourself.'));
  }
  const { state } = parsed;
  const outcome = app.search.search(state.query, state.filters);
  const hits = outcome.hits.map((h) => h.quote);
  if (hits.length === 0) return message(notice('Those results are no longer available. Run `/quote` again.'));
  const note = outcomeNote(outcome);
  return { type: 'update', payload: resultMessage(app.corpus, { hits, index: state.index, query: state.query, filters: state.filters, ...(note ? { note } : {}) }) };
}

type Choice = APIApplicationCommandOptionChoice<string>;

function choice(name: string, value: string): Choice {
  return { name: truncate(name, LIMITS.choiceName, { atWord: false }), value: truncate(value, LIMITS.choiceValue, { mark: '', atWord: false }) };
}

/** Suggestions while typing each /quote option. */
export function autocompleteQuote(app: App, option: string, typed: string): Choice[] {
  const t = typed.trim().toLowerCase();
  const out: Choice[] = [];
  if (option === 'theme') {
    for (const th of app.search.themesMatching(t)) out.push(choice(`${th.label} (${countTheme(app, th.id)})`, th.id));
  } else if (option === 'speaker') {
    for (const f of app.search.facets) if (!t || f.key.includes(t)) out.push(choice(`${f.label} (${f.count})`, f.key));
  } else if (option === 'source') {
    for (const k of app.corpus.kinds) if (!t || k.id.includes(t) || k.label.toLowerCase().includes(t)) out.push(choice(k.label, k.id));
  } else if (option === 'work') {
    for (const s of app.corpus.sources) {
      if (!t || s.id.includes(t) || s.title.toLowerCase().includes(t) || s.author.toLowerCase().includes(t)) {
        out.push(choice(`${truncate(s.title, 60, { atWord: false })} — ${s.author} (${app.corpus.quotes.filter((q) => q.sourceId === s.id).length})`, s.id));
      }
    }
  } else if (option === 'query') {
    if (t) out.push(choice(typed.trim(), typed.trim()));
    for (const word of app.search.completeWords(t, 10)) out.push(choice(word, word));
    for (const th of app.search.themesMatching(t)) out.push(choice(`${th.label} (theme)`, th.id.replace(/-/g, ' ')));
    for (const f of app.search.facets) if (t.length >= 2 && f.value.toLowerCase().startsWith(t)) out.push(choice(`${f.value} (speaker)`, f.value));
    if (!t) for (const th of app.corpus.themes) out.push(choice(`${th.label} (theme)`, th.id.replace(/-/g, ' ')));
  }
  const seen = new Set<string>();
  return out.filter((c) => !seen.has(c.value) && seen.add(c.value)).slice(0, LIMITS.autocompleteChoices);
}

function countTheme(app: App, id: string): number {
  return app.corpus.quotes.filter((q) => q.themes.includes(id)).length;
}
