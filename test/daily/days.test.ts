/**
 * Teaching days as a manager types them, in English, Russian and Ukrainian,
 * and as the bot writes them back in each language (which reads back the same).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { autocompleteDays, daysText, onDaysText } from '../../src/answers/daily.js';
import { capitalise } from '../../src/render/text.js';
import { EVERY_DAY, parseDays, WEEKDAYS, WEEKENDS } from '../../src/daily/days.js';
import { LANGUAGES } from '../../src/i18n/index.js';

const MON = 1;
const WED = 4;
const FRI = 16;
const SUN = 64;

test('Russian and Ukrainian day names, abbreviations, ranges and sets read as the English ones do', () => {
  const cases: [string, number][] = [
    ['пн, ср, пт', MON | WED | FRI],
    ['понедельник и среду', MON | WED],
    ['вт-чт', 2 | 4 | 8],
    ['пт-пн', FRI | 32 | SUN | MON],
    ["п'ятниця, неділя", FRI | SUN],
    ['п’ятниця та нд', FRI | SUN],
    ['будни', WEEKDAYS],
    ['у будні', WEEKDAYS],
    ['по выходным', WEEKENDS],
    ['вихідні', WEEKENDS],
    ['каждый день', EVERY_DAY],
    ['щодня', EVERY_DAY],
    ['Mon, Wed, Fri', MON | WED | FRI],
  ];
  for (const [typed, mask] of cases) assert.deepEqual(parseDays(typed), { ok: true, value: mask }, typed);
  for (const wrong of ['завтра', 'ср и вчера', 'x']) assert.equal(parseDays(wrong).ok, false, wrong);
});

test('what the bot writes in each language reads back as the same days', () => {
  for (const language of LANGUAGES) {
    for (const mask of [EVERY_DAY, WEEKDAYS, WEEKENDS, MON | WED | FRI, SUN, 0b1010101]) {
      assert.deepEqual(parseDays(daysText(mask, language)), { ok: true, value: mask }, `${language} ${daysText(mask, language)}`);
    }
  }
  // Every set of days, as a list, as a sentence's part ("по пн, ср", "on weekdays (Mon–Fri)") and capitalised (status).
  for (const language of LANGUAGES) {
    for (let mask = 1; mask <= EVERY_DAY; mask++) {
      for (const written of [daysText(mask, language), onDaysText(mask, language), capitalise(daysText(mask, language)), capitalise(onDaysText(mask, language))]) {
        assert.deepEqual(parseDays(written), { ok: true, value: mask }, `${language} “${written}”`);
      }
    }
  }
  assert.equal(onDaysText(MON | WED, 'ru'), 'по пн, ср');
  assert.equal(onDaysText(MON | WED, 'uk'), 'у пн, ср');
  assert.equal(daysText(MON | WED | FRI, 'ru'), 'пн, ср, пт');
  assert.equal(daysText(WEEKDAYS, 'uk'), 'будні (пн–пт)');
});

test('the days autocomplete shows the reader’s language and sends the value the parser reads', () => {
  const ru = autocompleteDays('', 'ru');
  assert.deepEqual(ru.slice(0, 2), [
    { name: 'Каждый день', value: 'every day' },
    { name: 'Будни (пн–пт)', value: 'weekdays' },
  ]);
  assert.deepEqual(autocompleteDays('пн, ср', 'uk')[0], { name: 'Пн, ср', value: 'Mon, Wed' });
  assert.deepEqual(autocompleteDays('', 'en')[0], { name: 'every day', value: 'every day' });
});
