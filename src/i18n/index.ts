/**
 * The bot's own words in the student's language: English, Russian, Ukrainian,
 * one resource file per language in `locales/`. Quotations and notes never pass
 * through here: they stay as the source prints them. Plurals follow each
 * language's rules (Intl.PluralRules through i18next: 1 цитата, 3 цитаты, 5 цитат).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import i18next, { type TOptions } from 'i18next';
import { ROOT } from '../paths.js';

export const LANGUAGES = ['en', 'ru', 'uk'] as const;
export type Language = (typeof LANGUAGES)[number];

type Resource = Record<string, unknown>;

export function readResource(language: Language): Resource {
  return JSON.parse(readFileSync(path.join(ROOT, 'locales', `${language}.json`), 'utf8')) as Resource;
}

const i18n = i18next.createInstance();
// Synchronous: the resources are in memory before init returns, so the first interaction is already translated.
void i18n.init({
  initAsync: false,
  lng: 'en',
  fallbackLng: 'en',
  supportedLngs: [...LANGUAGES],
  resources: Object.fromEntries(LANGUAGES.map((l) => [l, { translation: readResource(l) }])),
  // Discord renders the text; markdown, not HTML.
  interpolation: { escapeValue: false },
  returnNull: false,
});

/** A Discord locale (`ru`, `uk`, `en-US`, …) → the language the bot answers in; English for the rest. */
export function languageOf(discordLocale: string | null | undefined): Language {
  const base = (discordLocale ?? '').toLowerCase().split('-')[0];
  return (LANGUAGES as readonly string[]).includes(base ?? '') ? (base as Language) : 'en';
}

export function t(language: Language, key: string, options: TOptions = {}): string {
  return i18n.t(key, { ...options, lng: language });
}

/** Discord's `*_localizations` for a key: its Russian and Ukrainian text (English is the default). */
export function localizations(key: string): { ru: string; uk: string } {
  return { ru: t('ru', key), uk: t('uk', key) };
}

export function hasKey(language: Language, key: string): boolean {
  return i18n.exists(key, { lng: language, fallbackLng: false });
}
