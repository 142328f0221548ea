/**
 * The student's language end to end, through the real discord.js client and
 * the local Discord stand-in: each person's replies follow their own Discord
 * locale in the same server; a press answers in the presser's language
 * whatever the post's; a server's scheduled post follows its `/daily set …
 * language`; the quotations stay as the source prints them in every language.
 * One bot for the file.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApplicationCommandOptionType as T, PermissionFlagsBits, type APIButtonComponentWithCustomId, type APIMessage } from 'discord-api-types/v10';
import { build } from '../../support/bot.js';

const ru = { user: { id: '1180000000000000401', username: 'masha' }, locale: 'ru' };
const uk = { user: { id: '1180000000000000402', username: 'oksana' }, locale: 'uk' };
const en = { user: { id: '1180000000000000403', username: 'sam' }, locale: 'en-GB' };
const manager = { user: { id: '1180000000000000404', username: 'teacher' }, locale: 'en-US', memberPermissions: PermissionFlagsBits.ManageGuild };

function buttons(message: APIMessage | null | undefined): APIButtonComponentWithCustomId[] {
  const rows = (message?.components ?? []) as unknown as { components?: APIButtonComponentWithCustomId[] }[];
  return rows.flatMap((row) => row.components ?? []);
}

function button(message: APIMessage | null | undefined, label: string): APIButtonComponentWithCustomId {
  const b = buttons(message).find((x) => x.label === label);
  assert.ok(b, `no “${label}” button on the message (it has ${buttons(message).map((x) => x.label).join(', ')})`);
  return b;
}

function fieldNames(message: APIMessage | null | undefined): string[] {
  return (message?.embeds[0]?.fields ?? []).map((f) => f.name);
}

test('languages in one server', async (t) => {
  // 06:00 UTC on Tuesday 10 March 2026: 08:00 in Kyiv (EET), before the class's 08:30.
  const { standIn, bot, clock } = await build(t, { now: new Date('2026-03-10T06:00:00Z') });
  const quote = (who: typeof ru) => standIn.sendCommand({ ...who, name: 'quote', options: [{ name: 'query', type: T.String, value: 'nep' }] }).then((h) => h.response());

  await t.test('a Russian and a Ukrainian student each get their own language; the quotation is the same for both', async () => {
    const [russian, ukrainian, english] = [await quote(ru), await quote(uk), await quote(en)];
    assert.deepEqual(fieldNames(russian.message), ['Источник', 'Примечание', 'Темы']);
    assert.deepEqual(fieldNames(ukrainian.message), ['Джерело', 'Примітка', 'Теми']);
    assert.deepEqual(fieldNames(english.message), ['Source', 'Note', 'Themes']);
    assert.deepEqual(buttons(russian.message).map((b) => b.label), ['◀ Назад', 'Далее ▶', 'Цитировать', 'Контекст']);
    assert.deepEqual(buttons(ukrainian.message).map((b) => b.label), ['◀ Назад', 'Далі ▶', 'Цитувати', 'Контекст']);
    assert.match(russian.message?.embeds[0]?.footer?.text ?? '', /^lr-\d{3} · цит\. по: Phil Gasper, «Lenin’s Revenge: Early Soviet Hidden Voices» \(2024\) · 1 из \d+ по запросу «nep»$/);
    assert.match(ukrainian.message?.embeds[0]?.footer?.text ?? '', /^lr-\d{3} · цит\. за: Phil Gasper, «Lenin’s Revenge: Early Soviet Hidden Voices» \(2024\) · 1 з \d+ за запитом «nep»$/);
    // The quotation, its speaker and its note: exactly as the source prints them, in every language.
    const words = (r: typeof english) => [r.message?.embeds[0]?.description, ...(r.message?.embeds[0]?.fields ?? []).slice(1, 2).map((f) => f.value)];
    assert.deepEqual(words(russian), words(english));
    assert.deepEqual(words(ukrainian), words(english));
    // The buttons' ids are the same: they carry no language.
    assert.deepEqual(buttons(russian.message).map((b) => b.custom_id), buttons(english.message).map((b) => b.custom_id));

    const themes = await (await standIn.sendCommand({ ...ru, name: 'themes' })).response();
    assert.equal(themes.message?.embeds[0]?.title, 'Темы');
    const about = await (await standIn.sendCommand({ ...uk, name: 'about' })).response();
    assert.equal(about.message?.embeds[0]?.title, 'Про бота Hidden Voices');
    assert.match(about.message?.embeds[0]?.footer?.text ?? '', /^127 цитат · 14 тем$/);
    const note = await (await standIn.sendCommand({ ...uk, name: 'source', options: [{ name: 'n', type: T.Integer, value: 8 }] })).response();
    assert.equal(note.message?.embeds[0]?.title, 'Примітка 8');
    assert.match(note.message?.embeds[0]?.description ?? '', /^\*Sovershenno Sekretno: Lubyanka Stalinu/, 'the note as printed');
    const refused = await (await standIn.sendCommand({ ...ru, name: 'quote', options: [{ name: 'theme', type: T.String, value: 'weather' }] })).response();
    assert.equal(refused.ephemeral, true);
    assert.match(refused.message?.content ?? '', /^Темы «weather» нет\. Темы: `nep`/);
  });

  await t.test('a Russian student pressing Cite and Context under an English reply reads the answer in Russian', async () => {
    const english = await quote(en);
    const press = (label: string) => standIn.sendButton({ ...ru, customId: button(english.message, label).custom_id, message: english.message as APIMessage }).then((h) => h.response());
    const cite = await press('Cite');
    assert.equal(cite.ephemeral, true);
    assert.match(cite.message?.embeds[0]?.title ?? '', /^Цитировать lr-\d{3}$/);
    assert.match(cite.message?.embeds[0]?.description ?? '', /^Скопируйте цитату и примечание к ней/);
    assert.match(cite.message?.embeds[0]?.description ?? '', /quoted in Phil Gasper, “Lenin’s Revenge/, 'the Chicago note as the source has it');
    const context = await press('Context');
    assert.match(context.message?.embeds[0]?.title ?? '', /^Контекст lr-\d{3}$/);
    // Paging another's results is refused, in the presser's language.
    const next = await press('Next ▶');
    assert.equal(next.ephemeral, true);
    assert.match(next.message?.content ?? '', /^Листать эти страницы может только тот, кто искал/);
  });

  await t.test('the daily post in a server set to Ukrainian: frame, buttons and discussion question in Ukrainian, each press in its presser’s language', async () => {
    const set = await (
      await standIn.sendCommand({
        ...manager,
        name: 'daily',
        options: [
          {
            name: 'set',
            type: T.Subcommand,
            options: [
              { name: 'channel', type: T.Channel, value: standIn.channelId },
              { name: 'time', type: T.String, value: '08:30' },
              { name: 'timezone', type: T.String, value: 'Europe/Kyiv' },
              { name: 'thread', type: T.Boolean, value: true },
              { name: 'language', type: T.String, value: 'uk' },
            ],
          },
        ],
      })
    ).response();
    assert.equal(set.ephemeral, true, 'the manager reads the settings in their own language');
    assert.match(set.message?.embeds[0]?.description ?? '', /The posts’ own words are in Ukrainian; the quotations stay as the source prints them\./);

    clock.now = new Date('2026-03-10T06:30:00Z'); // 08:30 in Kyiv
    await bot.scheduler.tick();
    const posts = standIn.channelMessages(standIn.channelId).filter((m) => m.embeds.length > 0);
    const post = posts.find((m) => /^Голос дня/.test(m.embeds[0]?.title ?? ''));
    assert.ok(post, `the day's post (${posts.map((m) => m.embeds[0]?.title).join(' | ')})`);
    assert.equal(post.embeds[0]?.title, 'Голос дня — вівторок, 10 березня 2026 р.');
    assert.deepEqual(fieldNames(post), ['Джерело', 'Примітка', 'Теми']);
    assert.deepEqual(buttons(post).map((b) => b.label), ['Цитувати', 'Контекст']);
    const opener = standIn.requests.filter((r) => r.method === 'POST' && /\/channels\/\d+\/messages$/.test(r.path)).at(-1)?.body as { content: string };
    assert.match(opener.content, /^\*\*Для обговорення:\*\* \S/);
    const thread = standIn.requests.find((r) => r.method === 'POST' && /\/messages\/\d+\/threads$/.test(r.path))?.body as { name: string };
    assert.match(thread.name, /^2026-03-10 · /);
    // The quotation is the one /voice shows an English reader: the same words.
    const voice = await (await standIn.sendCommand({ ...en, name: 'voice' })).response();
    assert.equal(voice.message?.embeds[0]?.description, post.embeds[0]?.description);
    assert.match(voice.message?.embeds[0]?.title ?? '', /^Voice of the day — Tuesday, 10 March 2026$/);

    const context = await (await standIn.sendButton({ ...ru, customId: button(post, 'Контекст').custom_id, message: post.id })).response();
    assert.match(context.message?.embeds[0]?.title ?? '', /^Контекст lr-\d{3}$/);
    assert.match(context.message?.embeds[0]?.footer?.text ?? '', /цитируемые слова выделены жирным$/);
    const cite = await (await standIn.sendButton({ ...en, customId: button(post, 'Цитувати').custom_id, message: post.id })).response();
    assert.match(cite.message?.embeds[0]?.title ?? '', /^Cite lr-\d{3}$/);

    const status = await (await standIn.sendCommand({ ...manager, locale: 'ru', name: 'daily', options: [{ name: 'status', type: T.Subcommand }] })).response();
    const field = status.message?.embeds[0]?.fields?.[0]?.value ?? '';
    assert.match(field, /Каждый день в \*\*08:30\*\* Europe\/Kyiv · ветка · украинский/);
    assert.match(field, /\*\*Последняя доставка:\*\* отправлено за 2026-03-10 \(lr-\d{3}\)/);
  });

  await t.test('a quiz post keeps its asker’s language; each answer is acknowledged in the answerer’s', async () => {
    const asked = await (await standIn.sendCommand({ ...uk, name: 'quiz', options: [{ name: 'ask', type: T.Subcommand, options: [] }] })).response();
    const message = asked.message as APIMessage;
    assert.equal(message.embeds[0]?.title, 'Вікторина: хто це сказав?');
    assert.match(message.embeds[0]?.description ?? '', /Поки що \*\*0 відповідей\*\* · закриється <t:\d+:R>/);
    assert.equal(button(message, 'Показати відповідь').style, 4);
    const answer = buttons(message).find((b) => b.custom_id.startsWith('quiz:answer:'));
    assert.ok(answer);
    const handle = await standIn.sendButton({ ...en, customId: answer.custom_id, message: message.id });
    const updated = await handle.response();
    assert.match(updated.message?.embeds[0]?.description ?? '', /Поки що \*\*1 відповідь\*\*/, 'the post stays in Ukrainian');
    await handle.waitFor(() => handle.followUps[0]);
    assert.match(handle.followUps[0]?.content ?? '', /^(Right|Not this time) — it was \*\*/, 'the answerer reads English');
  });
});
