/**
 * End to end: the bot as a user-installed app — in a server it is not in, in
 * its DM, in a group DM — and installed to a server, through the stand-in,
 * which sends each interaction as Discord documents it for that context and
 * installation and offers a command only where it is declared.
 */
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { ApplicationCommandOptionType, PermissionFlagsBits, type APIButtonComponentWithCustomId, type APIMessage } from 'discord-api-types/v10';
import { runDeploy } from '../../src/deploy-commands.js';
import { DEFAULT_EVERYONE_PERMISSIONS } from '../../support/discord/permissions.js';
import type { InvokerSpec } from '../../support/discord/types.js';
import { build } from '../../support/bot.js';

const S = ApplicationCommandOptionType.String;
const HOME = '1180000000000000900';
const ELSEWHERE = '1180000000000000910';
const LOCKED = '1180000000000000920';
const student = { id: '1180000000000000201', username: 'student' };

/** The student's places: with the bot installed to the server, and as their own app everywhere else. */
const PLACES: readonly { name: string; where: InvokerSpec }[] = [
  { name: 'a server the bot is in (guild install)', where: { guildId: HOME } },
  { name: 'a server the bot is in, also user-installed', where: { guildId: HOME, install: 'both' } },
  { name: 'a server the bot is not in (user install)', where: { guildId: ELSEWHERE } },
  { name: 'the DM with the bot (user install)', where: { context: 1, install: 'user' } },
  { name: 'the DM with the bot (guild install)', where: { context: 1, install: 'guild' } },
  { name: 'a group DM (user install)', where: { context: 2 } },
];

async function anywhere(t: TestContext) {
  const everyone = (id: string, extra: bigint) => ({ id, name: '@everyone', permissions: DEFAULT_EVERYONE_PERMISSIONS | extra });
  const built = await build(t, {
    standIn: {
      guilds: [
        { id: HOME },
        { id: ELSEWHERE, botInstalled: false, roles: [everyone(ELSEWHERE, PermissionFlagsBits.UseExternalApps)] },
        // A server that lets no external app answer in public: Discord makes every response private.
        { id: LOCKED, botInstalled: false, roles: [everyone(LOCKED, 0n)] },
      ],
    },
  });
  // Registered globally, as `npm run deploy-commands` does: the stand-in then offers each command only where it is declared.
  assert.equal(await runDeploy(built.env, () => undefined), 0);
  return built;
}

function button(message: APIMessage | null | undefined, label: string): APIButtonComponentWithCustomId {
  const rows = (message?.components ?? []) as unknown as { components?: APIButtonComponentWithCustomId[] }[];
  const b = rows.flatMap((row) => row.components ?? []).find((x) => x.label?.includes(label));
  assert.ok(b, `no ${label} button on the message`);
  return b;
}

test('every reading command answers in every context and installation, through the interaction alone', async (t) => {
  const { standIn, bot } = await anywhere(t);
  assert.ok(!bot.client.guilds.cache.has(ELSEWHERE), 'the bot is not in the other server');
  const asks = [
    { name: 'quote', options: [{ name: 'query', type: S, value: 'nep' }], expect: /nep/i },
    { name: 'source', options: [{ name: 'n', type: ApplicationCommandOptionType.Integer, value: 8 }], expect: /./ },
    { name: 'themes', expect: /./ },
    { name: 'about', expect: /./ },
    { name: 'voice', expect: /./ },
  ];
  for (const place of PLACES) {
    for (const ask of asks) {
      const handle = await standIn.sendCommand({ ...place.where, user: student, name: ask.name, ...(ask.options ? { options: ask.options } : {}) });
      const r = await handle.response();
      const what = `/${ask.name} in ${place.name}`;
      assert.equal(r.ephemeral, false, what);
      assert.ok((r.message?.embeds.length ?? 0) > 0, what);
      const text = JSON.stringify(r.message?.embeds);
      assert.match(text, ask.expect, what);
      // Discord's shape for the place: no member and no server outside one.
      const payload = handle.payload;
      assert.equal('member' in payload, place.where.context === undefined, what);
      assert.equal('guild_id' in payload, place.where.context === undefined, what);
    }
  }
  // Only interactions: the bot never wrote to a channel itself.
  assert.deepEqual(standIn.requests.filter((r) => r.method === 'POST' && r.path.includes('/channels/')).map((r) => r.path), []);
});

test('/daily stays in servers that installed the bot: Discord offers it nowhere else', async (t) => {
  const { standIn } = await anywhere(t);
  for (const where of [{ guildId: ELSEWHERE }, { context: 1 as const, install: 'user' as const }, { context: 2 as const }]) {
    await assert.rejects(standIn.sendCommand({ ...where, name: 'daily', options: [{ name: 'status', type: ApplicationCommandOptionType.Subcommand }] }), /would not offer \/daily/);
  }
  const status = await (await standIn.sendCommand({ guildId: HOME, name: 'daily', memberPermissions: PermissionFlagsBits.ManageGuild, options: [{ name: 'status', type: ApplicationCommandOptionType.Subcommand }] })).response();
  assert.equal(status.ephemeral, true);
});

test('in a group DM: Previous/Next, Cite and Context all work through the interaction', async (t) => {
  const { standIn } = await anywhere(t);
  const where = { context: 2 as const, user: student };
  const first = await (await standIn.sendCommand({ ...where, name: 'quote', options: [{ name: 'query', type: S, value: 'nep' }] })).response();
  const channelId = first.message?.channel_id;
  const next = await (await standIn.sendButton({ ...where, channelId, customId: button(first.message, 'Next').custom_id, message: first.message as APIMessage })).response();
  assert.equal(next.callbackType, 7);
  assert.match(next.message?.embeds[0]?.footer?.text ?? '', / · 2 of \d+ for “nep”$/);
  const back = await (await standIn.sendButton({ ...where, channelId, customId: button(next.message, 'Previous').custom_id, message: next.message as APIMessage })).response();
  assert.match(back.message?.embeds[0]?.footer?.text ?? '', / · 1 of \d+ for “nep”$/);
  const cite = await (await standIn.sendButton({ ...where, channelId, customId: button(first.message, 'Cite').custom_id, message: first.message as APIMessage })).response();
  assert.equal(cite.ephemeral, true);
  assert.match(cite.message?.embeds[0]?.description ?? '', /Lenin’s Revenge/);
  const context = await (await standIn.sendButton({ ...where, channelId, customId: button(first.message, 'Context').custom_id, message: first.message as APIMessage })).response();
  assert.match(context.message?.embeds[0]?.description ?? '', /\*\*/);
  // A classmate in the same group may not turn the student's pages; they are told so, privately.
  const classmate = await (await standIn.sendButton({ context: 2, channelId, customId: button(first.message, 'Next').custom_id, message: first.message as APIMessage })).response();
  assert.equal(classmate.ephemeral, true);
});

test('where a server forces private responses (no Use External Apps), paging, Cite and Context still work', async (t) => {
  const { standIn } = await anywhere(t);
  const where = { guildId: LOCKED, user: student };
  const first = await (await standIn.sendCommand({ ...where, name: 'quote', options: [{ name: 'query', type: S, value: 'nep' }] })).response();
  assert.equal(first.ephemeral, true, 'Discord made it private');
  assert.ok(first.message?.embeds[0]?.description);
  const next = await (await standIn.sendButton({ ...where, customId: button(first.message, 'Next').custom_id, message: first.message as APIMessage })).response();
  assert.equal(next.callbackType, 7);
  assert.match(next.message?.embeds[0]?.footer?.text ?? '', / · 2 of \d+ for “nep”$/);
  const cite = await (await standIn.sendButton({ ...where, customId: button(next.message, 'Cite').custom_id, message: next.message as APIMessage })).response();
  assert.match(cite.message?.embeds[0]?.description ?? '', /Lenin’s Revenge/);
  const context = await (await standIn.sendButton({ ...where, customId: button(next.message, 'Context').custom_id, message: next.message as APIMessage })).response();
  assert.match(context.message?.embeds[0]?.description ?? '', /\*\*/);
});

test('/voice outside a server with a schedule takes the date in UTC and says so', async (t) => {
  const { standIn, clock } = await anywhere(t);
  // 23:30 UTC on 10 March is already 11 March east of UTC: the DM's date is UTC's.
  clock.now = new Date('2026-03-10T23:30:00Z');
  for (const where of [{ context: 1 as const, install: 'user' as const }, { context: 2 as const }, { guildId: ELSEWHERE }]) {
    const r = await (await standIn.sendCommand({ ...where, name: 'voice' })).response();
    assert.match(r.message?.embeds[0]?.footer?.text ?? '', /the date in UTC$/);
  }
});

test('the stand-in keeps Discord’s limit of 5 follow-ups for a user-install-only interaction', async (t) => {
  const { standIn } = await anywhere(t);
  const post = (handle: { token: string }) =>
    fetch(`${standIn.apiBase}/v10/webhooks/${standIn.applicationId}/${handle.token}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ content: 'more' }) });
  const userOnly = await standIn.sendCommand({ context: 2, name: 'about' });
  await userOnly.response();
  for (let i = 0; i < 5; i++) assert.equal((await post(userOnly)).status, 204);
  assert.equal((await post(userOnly)).status, 400);
  const inServer = await standIn.sendCommand({ guildId: HOME, name: 'about' });
  await inServer.response();
  for (let i = 0; i < 6; i++) assert.equal((await post(inServer)).status, 204);
});

test('a Russian and a Ukrainian student in the same server each get their own language; commands are registered localized', async (t) => {
  const { standIn } = await anywhere(t);
  const ru = await (await standIn.sendCommand({ guildId: HOME, locale: 'ru', name: 'themes' })).response();
  const uk = await (await standIn.sendCommand({ guildId: HOME, locale: 'uk', name: 'themes' })).response();
  const en = await (await standIn.sendCommand({ guildId: HOME, locale: 'en-GB', name: 'themes' })).response();
  assert.equal(ru.message?.embeds[0]?.title, 'Темы');
  assert.match(ru.message?.embeds[0]?.description ?? '', /— 21 цитата\n/);
  assert.match(ru.message?.embeds[0]?.description ?? '', /`\/цитата тема:<тема>`/);
  assert.equal(uk.message?.embeds[0]?.title, 'Теми');
  assert.match(uk.message?.embeds[0]?.description ?? '', /`\/цитата тема:<тема>`/);
  assert.equal(en.message?.embeds[0]?.title, 'Themes');
  // In a group DM too: the locale travels with the interaction.
  const dm = await (await standIn.sendCommand({ context: 2, locale: 'uk', name: 'themes' })).response();
  assert.equal(dm.message?.embeds[0]?.title, 'Теми');
  const registered = standIn.commands() as { name: string; name_localizations?: Record<string, string> | null }[];
  assert.equal(registered.find((c) => c.name === 'quote')?.name_localizations?.ru, 'цитата');
  assert.equal(registered.find((c) => c.name === 'about')?.name_localizations?.uk, 'про-бота');
});
