/**
 * The language files: every key in every language with the same placeholders,
 * each language's plural forms, and Discord's rules for localized command
 * names (lowercase, no spaces, 1–32) and descriptions (1–100).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { commands } from '../../commands/index.js';
import { localizeCommand } from '../../commands/localize.js';
import { LANGUAGES, readResource, t } from '../../src/i18n/index.js';
import { limitViolations } from '../../src/message/limits.js';
import { themesMessage } from '../../src/render/messages.js';
import { createApp } from '../../src/app.js';

const PLURAL = /_(zero|one|two|few|many|other)$/;

/** key (plural suffix removed) → its texts. */
function flatten(value: unknown, prefix = '', out = new Map<string, string[]>()): Map<string, string[]> {
  if (typeof value === 'string') {
    const key = prefix.replace(PLURAL, '');
    out.set(key, [...(out.get(key) ?? []), value]);
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  }
  return out;
}

const placeholders = (text: string): string[] => [...text.matchAll(/\{\{\s*([^}]+?)\s*\}\}|\$t\(([^)]+)\)/g)].map((m) => m[1] ?? m[2] ?? '').sort();

test('every key is in every language, with the same placeholders', () => {
  const english = flatten(readResource('en'));
  assert.ok(english.size > 50);
  for (const language of LANGUAGES) {
    const other = flatten(readResource(language));
    assert.deepEqual([...other.keys()].sort(), [...english.keys()].sort(), `${language}: keys differ from English`);
    for (const [key, texts] of other) {
      // A plural form may leave the number out ("your answer is deleted"); every other placeholder is in every form.
      const plural = (english.get(key)?.length ?? 0) > 1 || texts.length > 1;
      const without = (list: string[]) => (plural ? list.filter((p) => p !== 'count') : list);
      const expected = without(placeholders(english.get(key)?.[0] ?? ''));
      for (const text of [...texts, ...(english.get(key) ?? [])]) assert.deepEqual(without(placeholders(text)), expected, `${language} ${key}: placeholders`);
    }
  }
});

test('plurals follow each language: 1 цитата, 3 цитаты, 5 цитат, 21 цитата; 1 quote, 2 quotes', () => {
  assert.deepEqual([1, 3, 5, 11, 21, 22, 25].map((count) => t('ru', 'themes.count', { count })), ['1 цитата', '3 цитаты', '5 цитат', '11 цитат', '21 цитата', '22 цитаты', '25 цитат']);
  assert.deepEqual([1, 3, 5, 21].map((count) => t('uk', 'themes.count', { count })), ['1 цитата', '3 цитати', '5 цитат', '21 цитата']);
  assert.deepEqual([1, 2].map((count) => t('en', 'themes.count', { count })), ['1 quote', '2 quotes']);
});

test('localized command names and descriptions follow Discord’s rules, for every command, option and choice', () => {
  const NAME = /^[-_'\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;
  type Node = { name: string; description?: string; name_localizations?: Record<string, string>; description_localizations?: Record<string, string>; options?: Node[]; choices?: { name: string; name_localizations?: Record<string, string> }[] };
  let checked = 0;
  const walk = (node: Node, path: string) => {
    for (const language of ['ru', 'uk']) {
      const name = node.name_localizations?.[language] ?? '';
      assert.match(name, NAME, `${path} name in ${language}`);
      assert.equal(name, name.toLowerCase(), `${path} name in ${language} is lowercase`);
      if (node.description !== undefined) {
        const d = node.description_localizations?.[language] ?? '';
        assert.ok(d.length >= 1 && d.length <= 100, `${path} description in ${language}: ${d.length} characters`);
      }
      for (const c of node.choices ?? []) {
        const n = c.name_localizations?.[language] ?? '';
        assert.ok(n.length >= 1 && n.length <= 100, `${path} choice ${c.name} in ${language}`);
      }
    }
    checked += 1;
    for (const o of node.options ?? []) walk(o, `${path} ${o.name}`);
  };
  for (const c of commands) {
    const localized = localizeCommand(c.data) as unknown as Node;
    // Sibling names stay distinct in each language (Discord refuses duplicates).
    walk(localized, `/${c.data.name}`);
  }
  assert.ok(checked > 30);
});

test('/themes in every language fits Discord’s limits and keeps the themes as the corpus writes them', () => {
  const { corpus } = createApp({ random: () => 0 });
  for (const language of LANGUAGES) {
    const payload = themesMessage(corpus, language);
    assert.deepEqual(limitViolations(payload), [], language);
    for (const theme of corpus.themes) assert.ok(payload.embeds?.[0]?.description?.includes(theme.label), `${language}: ${theme.id}`);
  }
  assert.equal(themesMessage(corpus, 'ru').embeds?.[0]?.title, 'Темы');
  assert.equal(themesMessage(corpus, 'uk').embeds?.[0]?.title, 'Теми');
});

test('one word for each thing within a language: server managers, defaults, and the source quiz asks what kind of source', () => {
  const texts = (language: (typeof LANGUAGES)[number]) => [...flatten(readResource(language)).values()].flat().join('\n');
  const ru = texts('ru');
  const uk = texts('uk');
  // Discord's permission is «Управлять сервером» / «Керувати сервером»: those who have it, named one way.
  assert.doesNotMatch(ru, /администратор/i);
  assert.doesNotMatch(uk, /адміністратор/i);
  assert.doesNotMatch(uk, /за замовчуванням/i, 'uk says “типово” for a default');
  // The answers are kinds of source (a leaflet, a letter), not which source.
  assert.doesNotMatch(ru, /из какого это источника/i);
  assert.doesNotMatch(uk, /з якого це джерела/i);
  assert.match(t('ru', 'quiz.titleSource'), /какого рода этот источник/);
  assert.match(t('uk', 'quiz.titleSource'), /якого роду це джерело/);
});
