/**
 * Proves the Discord stand-in against the real discord.js Client: login,
 * guild cache and permissions, every interaction response path, Discord's
 * rejections, resume after op 7, token refusal, sharding and REST retries.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { test, type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  ActionRowBuilder,
  ApplicationCommandOptionType,
  ButtonBuilder,
  ButtonStyle,
  ChannelType,
  Client,
  DiscordAPIError,
  EmbedBuilder,
  Events,
  GatewayIntentBits,
  MessageFlags,
  PermissionFlagsBits,
  Routes,
  type ApplicationCommandData,
  type ClientOptions,
  type Interaction,
  type TextChannel,
} from 'discord.js';
import { WebSocket } from 'ws';
import { stopClient } from '../../support/clients.js';
import { StandIn, guildIdForShard, snowflake, type StandInOptions } from '../../support/discord/index.js';

/**
 * node:test runs `t.after` hooks first-in first-out, but clients must be
 * destroyed before the stand-in closes (a client that loses its gateway keeps
 * reconnecting). This runs cleanups last-in first-out from one hook.
 */
function cleanupStack(t: TestContext): (fn: () => unknown) => void {
  const stack: (() => unknown)[] = [];
  t.after(async () => {
    for (const fn of stack.reverse()) await fn();
  });
  return (fn) => stack.push(fn);
}

async function startStandIn(defer: (fn: () => unknown) => void, options?: StandInOptions): Promise<StandIn> {
  const standIn = await StandIn.start(options);
  defer(() => standIn.close());
  return standIn;
}

async function connect(
  standIn: StandIn,
  defer: (fn: () => unknown) => void,
  options: Partial<ClientOptions> = {},
): Promise<Client<true>> {
  const client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: standIn.apiBase }, ...options });
  defer(() => stopClient(client));
  const ready = once(client, Events.ClientReady);
  await client.login(standIn.token);
  await ready;
  return client as Client<true>;
}

/**
 * Routes interactions to per-test behaviours (keyed by command name or
 * custom_id) and lets the test await what each behaviour returned or threw.
 */
class Behaviours {
  private readonly behaviours = new Map<string, (i: Interaction) => Promise<unknown>>();
  private readonly outcomes = new Map<string, { promise: Promise<unknown>; resolve: (v: unknown) => void }>();

  constructor(client: Client) {
    client.on(Events.InteractionCreate, (interaction) => {
      const key =
        interaction.isChatInputCommand() || interaction.isAutocomplete()
          ? interaction.commandName
          : interaction.isButton()
            ? interaction.customId
            : '';
      const behaviour = this.behaviours.get(key);
      const run = behaviour ? behaviour(interaction) : Promise.reject(new Error(`no behaviour for ${key}`));
      // The behaviour's result, or the error it threw, is what the test inspects.
      run.then(
        (value) => this.entry(interaction.id).resolve(value),
        (err: unknown) => this.entry(interaction.id).resolve(err),
      );
    });
  }

  on(key: string, behaviour: (i: Interaction) => Promise<unknown>): void {
    this.behaviours.set(key, behaviour);
  }

  /** What the behaviour for interaction `id` returned (or threw). */
  outcome(id: string): Promise<unknown> {
    return this.entry(id).promise;
  }

  private entry(id: string): { promise: Promise<unknown>; resolve: (v: unknown) => void } {
    let entry = this.outcomes.get(id);
    if (!entry) {
      let resolve!: (v: unknown) => void;
      const promise = new Promise<unknown>((r) => (resolve = r));
      entry = { promise, resolve };
      this.outcomes.set(id, entry);
    }
    return entry;
  }
}

function assertApiError(value: unknown, status: number, code: number): DiscordAPIError {
  assert.ok(value instanceof DiscordAPIError, `expected DiscordAPIError ${code}, got ${String(value)}`);
  assert.equal(value.status, status);
  assert.equal(value.code, code);
  return value;
}

test('a real discord.js client against the stand-in', async (t) => {
  const defer = cleanupStack(t);
  const guildId = snowflake();
  const botId = snowflake();
  const ids = {
    general: snowflake(),
    locked: snowflake(),
    hidden: snowflake(),
    noEmbeds: snowflake(),
    doomed: snowflake(),
    moderators: snowflake(),
  };
  const standIn = await startStandIn(defer, {
    botUser: { id: botId, username: 'Hidden Voices' },
    guilds: [
      {
        id: guildId,
        name: 'History Study',
        roles: [{ name: '@everyone' }, { id: ids.moderators, name: 'Moderators', permissions: PermissionFlagsBits.ManageMessages, mentionable: true }],
        channels: [
          { id: ids.general, name: 'general' },
          // The bot may read but not write here (a member overwrite for the bot).
          { id: ids.locked, name: 'archive', permission_overwrites: [{ id: botId, type: 1, deny: PermissionFlagsBits.SendMessages }] },
          // Nobody but moderators sees this one.
          {
            id: ids.hidden,
            name: 'mods',
            permission_overwrites: [
              { id: guildId, type: 0, deny: PermissionFlagsBits.ViewChannel },
              { id: ids.moderators, type: 0, allow: PermissionFlagsBits.ViewChannel },
            ],
          },
          { id: ids.noEmbeds, name: 'no-embeds', permission_overwrites: [{ id: guildId, type: 0, deny: PermissionFlagsBits.EmbedLinks }] },
          { id: ids.doomed, name: 'doomed' },
        ],
      },
    ],
  });
  const client = await connect(standIn, defer);
  const behaviours = new Behaviours(client);

  await t.test('logs in, caches the guild and computes permissions like the stand-in', () => {
    const guild = client.guilds.cache.get(guildId);
    assert.ok(guild?.available);
    assert.equal(guild.name, 'History Study');
    assert.equal(client.user.id, botId);
    assert.equal(client.application.id, botId);
    const me = guild.members.me;
    assert.ok(me, 'the bot member is cached from GUILD_CREATE');
    const general = guild.channels.cache.get(ids.general);
    assert.equal(general?.type, ChannelType.GuildText);
    for (const channelId of Object.values(ids).filter((id) => id !== ids.moderators)) {
      const channel = guild.channels.cache.get(channelId);
      assert.ok(channel, `channel ${channelId} cached`);
      assert.equal(channel.permissionsFor(me).bitfield, standIn.botPermissions(channelId), `permissions agree in #${channel.name}`);
    }
    assert.ok(general?.permissionsFor(me).has([PermissionFlagsBits.SendMessages, PermissionFlagsBits.EmbedLinks]));
    assert.equal(guild.channels.cache.get(ids.locked)?.permissionsFor(me).has(PermissionFlagsBits.SendMessages), false);
    assert.equal(guild.channels.cache.get(ids.hidden)?.permissionsFor(me).has(PermissionFlagsBits.ViewChannel), false);

    assert.deepEqual(
      standIn.identifies.map((i) => ({ shard: i.shard, intents: i.intents, tokenAccepted: i.tokenAccepted, outcome: i.outcome })),
      [{ shard: [0, 1], intents: GatewayIntentBits.Guilds, tokenAccepted: true, outcome: 'ready' }],
    );
    const gatewayBot = standIn.requests.find((r) => r.path === '/gateway/bot');
    assert.equal(gatewayBot?.hadAuth, true);
    assert.equal(gatewayBot?.authOk, true);
  });

  let replyMessageId = '';
  await t.test('slash command reply with an embed and buttons', async () => {
    behaviours.on('quote', async (i) => {
      assert.ok(i.isChatInputCommand());
      const row = new ActionRowBuilder<ButtonBuilder>().addComponents(
        new ButtonBuilder().setCustomId('page:2').setLabel('Next').setStyle(ButtonStyle.Primary),
      );
      await i.reply({ embeds: [new EmbedBuilder().setTitle('A worker, 1927').setDescription('“We built it ourselves.”')], components: [row] });
    });
    const handle = await standIn.sendCommand({ name: 'quote', user: { id: snowflake(), username: 'student' } });
    const response = await handle.response();
    assert.equal(response.callbackType, 4);
    assert.equal(response.via, 'callback');
    assert.equal(response.ephemeral, false);
    assert.equal(response.message?.embeds[0]?.title, 'A worker, 1927');
    assert.ok(response.at < 3000);
    assert.equal(await behaviours.outcome(handle.id), undefined);
    replyMessageId = response.message?.id ?? '';
    // The reply is in the channel's history, with the metadata a later button press carries.
    const [stored] = standIn.channelMessages(ids.general);
    assert.equal(stored?.id, replyMessageId);
    assert.equal(stored?.interaction_metadata?.id, handle.id);
    assert.equal(standIn.callbacks.at(-1)?.interactionId, handle.id);
  });

  await t.test('deferReply + editReply + followUp go through the auth-less webhook routes', async () => {
    behaviours.on('search', async (i) => {
      assert.ok(i.isChatInputCommand());
      await i.deferReply();
      await i.editReply({ embeds: [new EmbedBuilder().setTitle('3 results')] });
      await i.followUp({ content: 'Sources: TsGAOR', flags: MessageFlags.Ephemeral });
    });
    const handle = await standIn.sendCommand({ name: 'search', options: [{ name: 'query', type: ApplicationCommandOptionType.String, value: 'bread' }] });
    const response = await handle.response();
    assert.equal(response.callbackType, 5);
    assert.equal(response.via, 'edit');
    assert.equal(response.message?.embeds[0]?.title, '3 results');
    assert.equal(response.ephemeral, false);
    await behaviours.outcome(handle.id);
    const [followUp] = handle.followUps;
    assert.equal(followUp?.content, 'Sources: TsGAOR');
    assert.equal((followUp?.flags ?? 0) & MessageFlags.Ephemeral, MessageFlags.Ephemeral);
    assert.equal(standIn.channelMessages(ids.general).some((m) => m.id === followUp?.id), false, 'ephemeral stays out of history');

    const calls = standIn.webhookCalls.filter((c) => c.interactionId === handle.id);
    assert.deepEqual(
      calls.map((c) => [c.method, c.messageId, c.status]),
      [
        ['PATCH', '@original', 200],
        ['POST', null, 200],
      ],
    );
    assert.ok(calls.every((c) => !c.hadAuth), 'webhook calls carry no Authorization header');
    assert.equal(standIn.requests.find((r) => r.path.startsWith(`/interactions/${handle.id}/`))?.hadAuth, false);
  });

  await t.test('a follow-up right after deferReply fills the deferred message', async () => {
    behaviours.on('later', async (i) => {
      assert.ok(i.isChatInputCommand());
      await i.deferReply({ flags: MessageFlags.Ephemeral });
      await i.followUp({ content: 'done' });
    });
    const handle = await standIn.sendCommand({ name: 'later' });
    const response = await handle.response();
    assert.equal(response.via, 'follow-up');
    assert.equal(response.message?.id, handle.original?.id);
    assert.equal(response.ephemeral, true, 'the defer decided ephemerality');
  });

  await t.test('button press: update() rewrites the message the button sits on', async () => {
    let ownerSeenByBot: string | null | undefined;
    behaviours.on('page:2', async (i) => {
      assert.ok(i.isButton());
      ownerSeenByBot = i.message.interactionMetadata?.user.id;
      await i.update({ embeds: [new EmbedBuilder().setTitle('Page 2')], components: [] });
    });
    const commandUser = standIn.message(replyMessageId)?.interaction_metadata?.user.id;
    const handle = await standIn.sendButton({ customId: 'page:2', message: replyMessageId });
    const response = await handle.response();
    assert.equal(response.callbackType, 7);
    assert.equal(response.message?.id, replyMessageId);
    assert.equal(response.message?.embeds[0]?.title, 'Page 2');
    assert.deepEqual(standIn.message(replyMessageId)?.components, []);
    await behaviours.outcome(handle.id);
    assert.ok(commandUser);
    assert.equal(ownerSeenByBot, commandUser);
  });

  await t.test('deferUpdate() + editReply() edit the button message through @original', async () => {
    const handleForMessage = await standIn.sendCommand({ name: 'quote' });
    const messageId = (await handleForMessage.response()).message?.id ?? '';
    behaviours.on('page:2', async (i) => {
      assert.ok(i.isButton());
      await i.deferUpdate();
      await i.editReply({ content: 'Page 2 (edited)' });
    });
    const handle = await standIn.sendButton({ customId: 'page:2', message: messageId });
    const response = await handle.response();
    assert.deepEqual([response.callbackType, response.via, response.message?.id], [6, 'edit', messageId]);
    assert.equal(standIn.message(messageId)?.content, 'Page 2 (edited)');
  });

  await t.test('withResponse, fetchReply, editing a follow-up and deleteReply', async () => {
    behaviours.on('full', async (i) => {
      assert.ok(i.isChatInputCommand());
      const callback = await i.reply({ content: 'v1', withResponse: true });
      const fetched = await i.fetchReply();
      const followUp = await i.followUp('note');
      await i.editReply({ message: followUp.id, content: 'note (edited)' });
      await i.deleteReply();
      return { resourceId: callback.resource?.message?.id, fetchedContent: fetched.content, followUpId: followUp.id };
    });
    const handle = await standIn.sendCommand({ name: 'full' });
    const seen = (await behaviours.outcome(handle.id)) as { resourceId: string; fetchedContent: string; followUpId: string };
    const response = await handle.response();
    assert.equal(seen.resourceId, response.message?.id);
    assert.equal(seen.fetchedContent, 'v1');
    assert.equal(handle.original, undefined, 'deleted');
    assert.deepEqual(handle.followUps.map((m) => [m.id, m.content]), [[seen.followUpId, 'note (edited)']]);
    assert.deepEqual(
      handle.calls.map((c) => ('method' in c ? `${c.method} ${c.messageId ?? 'follow-up'} ${c.status}` : `callback ${String(c.type)} ${c.status}`)),
      ['callback 4 200', 'GET @original 200', 'POST follow-up 200', `PATCH ${seen.followUpId} 200`, 'DELETE @original 204'],
    );
  });

  await t.test('autocomplete respond()', async () => {
    behaviours.on('quote-by', async (i) => {
      assert.ok(i.isAutocomplete());
      const typed = i.options.getFocused();
      await i.respond([{ name: `${typed}kin`, value: 'lenin' }]);
    });
    const handle = await standIn.sendAutocomplete({
      name: 'quote-by',
      options: [{ name: 'author', type: ApplicationCommandOptionType.String, value: 'Len', focused: true }],
    });
    const response = await handle.response();
    assert.equal(response.callbackType, 8);
    assert.deepEqual(response.choices, [{ name: 'Lenkin', value: 'lenin' }]);
  });

  await t.test('a second acknowledgement is refused with 40060', async () => {
    behaviours.on('twice', async (i) => {
      assert.ok(i.isChatInputCommand());
      await i.reply('first');
      // discord.js would refuse locally; go to the API the way a second process would.
      return i.client.rest
        .post(Routes.interactionCallback(i.id, i.token), { body: { type: 4, data: { content: 'second' } }, auth: false })
        .catch((err: unknown) => err);
    });
    const handle = await standIn.sendCommand({ name: 'twice' });
    const err = assertApiError(await behaviours.outcome(handle.id), 400, 40060);
    assert.equal(err.message, 'Interaction has already been acknowledged.');
    assert.equal((await handle.response()).message?.content, 'first');
  });

  await t.test('an embed over the limits is refused with 50035, and a retry can still reply', async () => {
    behaviours.on('long', async (i) => {
      assert.ok(i.isChatInputCommand());
      // Raw embed objects: EmbedBuilder would refuse these before they left the process.
      const err = await i.reply({ embeds: [{ title: 't'.repeat(257), description: 'd'.repeat(4097) }] }).catch((e: unknown) => e);
      await i.reply('Too long, sorry.');
      return err;
    });
    const handle = await standIn.sendCommand({ name: 'long' });
    const err = assertApiError(await behaviours.outcome(handle.id), 400, 50035);
    assert.deepEqual(err.rawError, {
      message: 'Invalid Form Body',
      code: 50035,
      errors: {
        data: {
          embeds: {
            '0': {
              title: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 256 or fewer in length.' }] },
              description: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 4096 or fewer in length.' }] },
            },
          },
        },
      },
    });
    assert.equal((await handle.response()).message?.content, 'Too long, sorry.');
  });

  await t.test('a reply after the acknowledgement deadline gets 10062', async () => {
    behaviours.on('slow', async (i) => {
      assert.ok(i.isChatInputCommand());
      await sleep(120);
      return i.reply('finally').catch((e: unknown) => e);
    });
    const handle = await standIn.sendCommand({ name: 'slow', deadlineMs: 80 });
    assertApiError(await behaviours.outcome(handle.id), 404, 10062);
    assert.equal(handle.callback, undefined);
  });

  await t.test('channel posts are checked against roles and overwrites', async () => {
    const channel = (id: string): TextChannel => client.channels.cache.get(id) as TextChannel;
    const embed = new EmbedBuilder().setTitle('Daily quote');

    const posted = await channel(ids.general).send({ embeds: [embed] });
    assert.equal(standIn.channelMessages(ids.general).at(-1)?.id, posted.id);

    assertApiError(await channel(ids.locked).send('hello').catch((e: unknown) => e), 403, 50013);
    assertApiError(await channel(ids.hidden).send('hello').catch((e: unknown) => e), 403, 50001);
    // Without EMBED_LINKS: an embed-only post is refused; with content the embed is dropped.
    assertApiError(await channel(ids.noEmbeds).send({ embeds: [embed] }).catch((e: unknown) => e), 403, 50013);
    const stripped = await channel(ids.noEmbeds).send({ content: 'text survives', embeds: [embed] });
    assert.deepEqual(stripped.embeds, []);

    const tooBig = [{ description: 'a'.repeat(3500) }, { description: 'b'.repeat(3500) }];
    const err = assertApiError(await channel(ids.general).send({ embeds: tooBig }).catch((e: unknown) => e), 400, 50035);
    assert.deepEqual(err.rawError, {
      message: 'Invalid Form Body',
      code: 50035,
      errors: { embeds: { _errors: [{ code: 'MAX_EMBED_SIZE_EXCEEDED', message: 'Embed size exceeds maximum size of 6000' }] } },
    });
    assertApiError(await channel(ids.general).send({ content: '' }).catch((e: unknown) => e), 400, 50006);

    const thread = await posted.startThread({ name: 'Discussion' });
    assert.equal(thread.id, posted.id, 'a thread started from a message takes its id');
    await thread.send('first in thread');
    assert.deepEqual(standIn.channelMessages(thread.id).map((m) => m.content), ['first in thread']);
    assert.equal((standIn.channel(thread.id)?.parent_id as string | undefined), ids.general);

    // Edit Message on the bot's own post: absent fields kept; a deleted message answers 10008.
    const edited = await posted.edit({ content: 'edited' });
    assert.equal(edited.content, 'edited');
    assert.equal(standIn.message(posted.id)?.embeds[0]?.title, 'Daily quote');
    standIn.deleteMessage(posted.id);
    assertApiError(await client.rest.patch(Routes.channelMessage(ids.general, posted.id), { body: { content: 'again' } }).catch((e: unknown) => e), 404, 10008);

    const fetched = await client.channels.fetch(ids.general, { force: true });
    assert.equal(fetched?.id, ids.general);

    const deleted = once(client, Events.ChannelDelete);
    standIn.deleteChannel(ids.doomed);
    await deleted;
    assert.equal(client.channels.cache.has(ids.doomed), false);
    const gone = await client.rest.post(Routes.channelMessages(ids.doomed), { body: { content: 'x' } }).catch((e: unknown) => e);
    assertApiError(gone, 404, 10003);
  });

  await t.test('bulk overwrite of commands is idempotent and ids reach interactions', async () => {
    const definitions: ApplicationCommandData[] = [
      { name: 'quote', description: 'A random quote' },
      {
        name: 'where',
        description: 'Channel and role info',
        options: [
          { name: 'channel', description: 'A channel', type: ApplicationCommandOptionType.Channel, required: true },
          { name: 'role', description: 'A role', type: ApplicationCommandOptionType.Role, required: true },
        ],
      },
    ];
    const first = await client.application.commands.set(definitions);
    const second = await client.application.commands.set(definitions);
    assert.deepEqual([...second.keys()].sort(), [...first.keys()].sort());
    assert.deepEqual(
      second.map((c) => c.version),
      first.map((c) => c.version),
      'unchanged commands keep their version',
    );
    assert.deepEqual(standIn.commands().map((c) => c.name), ['quote', 'where']);
    const guildCommands = await client.application.commands.set([{ name: 'setup', description: 'Configure' }], guildId);
    assert.deepEqual(standIn.commands(guildId).map((c) => c.id), [...guildCommands.keys()]);

    const invalid = await client.rest
      .put(Routes.applicationCommands(client.application.id), { body: [{ name: 'Bad Name', description: 'x' }] })
      .catch((e: unknown) => e);
    assertApiError(invalid, 400, 50035);

    behaviours.on('where', async (i) => {
      assert.ok(i.isChatInputCommand());
      const channel = i.options.getChannel('channel', true);
      const role = i.options.getRole('role', true);
      await i.reply({ content: `${channel.name} / ${role.name}`, flags: MessageFlags.Ephemeral });
      return { commandId: i.commandId, appPermissions: i.appPermissions.bitfield, memberPermissions: i.memberPermissions?.bitfield };
    });
    const handle = await standIn.sendCommand({
      name: 'where',
      options: [
        { name: 'channel', type: ApplicationCommandOptionType.Channel, value: ids.locked },
        { name: 'role', type: ApplicationCommandOptionType.Role, value: ids.moderators },
      ],
      memberRoles: [ids.moderators],
    });
    const response = await handle.response();
    assert.equal(response.message?.content, 'archive / Moderators');
    assert.equal(response.ephemeral, true);
    const seen = (await behaviours.outcome(handle.id)) as { commandId: string; appPermissions: bigint; memberPermissions: bigint };
    assert.equal(seen.commandId, first.find((c) => c.name === 'where')?.id);
    assert.equal(seen.appPermissions, standIn.botPermissions(ids.general));
    assert.ok(seen.memberPermissions & PermissionFlagsBits.ManageMessages);
  });

  await t.test('op 7 RECONNECT: the client resumes, gets the missed event and still answers', async () => {
    behaviours.on('ping', async (i) => {
      assert.ok(i.isChatInputCommand());
      await i.reply('pong');
    });
    const identifiesBefore = standIn.identifies.length;
    const resumed = standIn.requestReconnect();
    // discord.js closes with 4200, waits ~500 ms, then resumes: dispatch in the gap.
    await once(standIn, 'gatewayClose');
    const handle = await standIn.sendCommand({ name: 'ping' });
    const [resume] = await resumed;
    assert.equal(resume?.path, '/resume', 'reconnected to resume_gateway_url');
    assert.equal(resume?.replayed, 1, 'the interaction dispatched while away was replayed');
    assert.equal(standIn.identifies.length, identifiesBefore, 'no new IDENTIFY');
    assert.equal((await handle.response()).message?.content, 'pong');
    assert.ok(standIn.gatewayCloses.some((c) => c.by === 'client' && c.code === 4200));
  });

  await t.test('nothing unexpected was called and the token was never recorded', () => {
    assert.deepEqual(standIn.unknownRequests, []);
    const recorded = JSON.stringify({
      requests: standIn.requests,
      callbacks: standIn.callbacks,
      webhookCalls: standIn.webhookCalls,
      identifies: standIn.identifies,
    });
    assert.equal(recorded.includes(standIn.token), false);
  });
});

test('a refused token makes login() reject', async (t) => {
  const defer = cleanupStack(t);
  const standIn = await startStandIn(defer);

  // Wrong token: discord.js learns it from GET /gateway/bot's 401.
  const wrong = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: standIn.apiBase } });
  defer(() => stopClient(wrong));
  await assert.rejects(wrong.login('not-the-token'), { code: 'TokenInvalid' });
  assert.deepEqual(standIn.requests.map((r) => [r.path, r.status, r.response]), [
    ['/gateway/bot', 401, { message: '401: Unauthorized', code: 0 }],
  ]);

  // Token revoked at the gateway only: IDENTIFY is closed with 4004.
  standIn.revokeToken({ gatewayOnly: true });
  const revoked = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: standIn.apiBase } });
  defer(() => stopClient(revoked));
  await assert.rejects(revoked.login(standIn.token), /Authentication failed/);
  assert.equal(standIn.identifies.at(-1)?.outcome, 4004);
  assert.deepEqual(standIn.gatewayCloses.map((c) => [c.code, c.by]), [[4004, 'stand-in']]);
});

test('two shards each receive only their own guilds', async (t) => {
  const defer = cleanupStack(t);
  const guilds = [guildIdForShard(0, 2), guildIdForShard(1, 2)];
  const standIn = await startStandIn(defer, {
    recommendedShards: 2,
    // Short enough to see regular heartbeats within a second, long enough that
    // a loaded machine does not miss an acknowledgement and start a zombie
    // reconnect (100 ms did, and such reconnects outlived the test).
    heartbeatIntervalMs: 1000,
    guilds: guilds.map((id, n) => ({ id, name: `Guild ${n}` })),
  });
  const received = new Map<number, string[]>();
  const client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: standIn.apiBase }, shards: 'auto' });
  defer(() => stopClient(client));
  client.on(Events.Raw, (packet: { t?: string; d?: { id?: string } }, shardId: number) => {
    if (packet.t === 'GUILD_CREATE' && packet.d?.id) received.set(shardId, [...(received.get(shardId) ?? []), packet.d.id]);
  });
  const ready = once(client, Events.ClientReady);
  await client.login(standIn.token);
  await ready;

  assert.equal(client.ws.shards.size, 2);
  assert.deepEqual(standIn.identifies.map((i) => i.shard).sort(), [
    [0, 2],
    [1, 2],
  ]);
  assert.deepEqual(Object.fromEntries(received), { 0: [guilds[0]], 1: [guilds[1]] });
  assert.equal(client.guilds.cache.get(guilds[1] ?? '')?.shardId, 1);

  // Interactions travel on the guild's shard.
  let shardOfInteraction = -1;
  client.on(Events.InteractionCreate, (i) => {
    shardOfInteraction = i.guild?.shardId ?? -1;
    if (i.isChatInputCommand()) void i.reply('ok');
  });
  const handle = await standIn.sendCommand({ name: 'ping', guildId: guilds[1] });
  await handle.response();
  assert.equal(shardOfInteraction, 1);

  // Regular heartbeats (1 s here, the first after a random part of it) flow and
  // are acknowledged: beyond the one per shard the stand-in requested after
  // READY, and discord.js measured a ping.
  const deadline = Date.now() + 5000;
  while (standIn.heartbeats < 4 && Date.now() < deadline) await sleep(20);
  assert.ok(standIn.heartbeats >= 4, `heartbeats: ${standIn.heartbeats}`);
  assert.ok(client.ws.shards.every((s) => s.ping >= 0));
});

test('injected 500 and 429 responses are retried by discord.js', async (t) => {
  const defer = cleanupStack(t);
  const standIn = await startStandIn(defer);
  const client = await connect(standIn, defer);
  const channel = client.channels.cache.get(standIn.channelId) as TextChannel;

  standIn.failNext('POST /channels/:channelId/messages', 500);
  standIn.failNext(/^POST \/channels\/\d+\/messages$/, 429, undefined, { 'retry-after': '0.05', 'x-ratelimit-global': 'true' });
  const message = await channel.send('eventually');
  assert.equal(message.content, 'eventually');
  const posts = standIn.requests.filter((r) => r.route === '/channels/:channelId/messages');
  assert.deepEqual(posts.map((r) => [r.status, r.injected ?? false]), [
    [500, true],
    [429, true],
    [200, false],
  ]);
  assert.equal(standIn.channelMessages(standIn.channelId).length, 1, 'failed attempts stored nothing');
});

test('enforce_nonce: the same author and nonce get the first message back, with no second MESSAGE_CREATE', async (t) => {
  const defer = cleanupStack(t);
  const standIn = await startStandIn(defer);
  const client = await connect(standIn, defer, { intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages] });
  const channel = client.channels.cache.get(standIn.channelId) as TextChannel;
  const created: string[] = [];
  client.on(Events.MessageCreate, (m) => created.push(m.id));

  const first = await channel.send({ content: 'once', nonce: 'hv:1:20261202', enforceNonce: true });
  assert.equal(first.nonce, 'hv:1:20261202', 'the nonce is echoed back');
  const again = await channel.send({ content: 'once, retried', nonce: 'hv:1:20261202', enforceNonce: true });
  assert.equal(again.id, first.id, 'the retry gets the existing message');
  assert.equal(again.content, 'once');
  assert.deepEqual(standIn.channelMessages(standIn.channelId).map((m) => m.id), [first.id]);

  // Without enforce_nonce, or with another nonce, a new message is created as usual.
  const loose = await channel.send({ content: 'twice', nonce: 'hv:1:20261202', enforceNonce: false });
  const other = await channel.send({ content: 'next day', nonce: 'hv:1:20261203', enforceNonce: true });
  assert.equal(new Set([first.id, loose.id, other.id]).size, 3);
  assert.equal(standIn.channelMessages(standIn.channelId).length, 3);

  // Discord's rule: an integer or a string of at most 25 characters.
  const tooLong = await client.rest.post(Routes.channelMessages(standIn.channelId), { body: { content: 'x', nonce: 'n'.repeat(26), enforce_nonce: true } }).catch((e: unknown) => e);
  assertApiError(tooLong, 400, 50035);
  const numeric = await channel.send({ content: 'numeric', nonce: 12345, enforceNonce: true });
  assert.equal((await channel.send({ content: 'numeric again', nonce: 12345, enforceNonce: true })).id, numeric.id);

  // Every MESSAGE_CREATE has arrived once a later message's has.
  const last = await channel.send('last');
  while (!created.includes(last.id)) await once(client, Events.MessageCreate);
  assert.deepEqual(created, [first.id, loose.id, other.id, numeric.id, last.id]);
});

test('gateway and REST edge cases', async (t) => {
  const defer = cleanupStack(t);
  const standIn = await startStandIn(defer);

  await t.test('privileged intents the app was not granted are closed with 4014', async () => {
    const greedy = new Client({ intents: [GatewayIntentBits.Guilds, GatewayIntentBits.MessageContent], rest: { api: standIn.apiBase } });
    defer(() => stopClient(greedy));
    await assert.rejects(greedy.login(standIn.token), /disallowed intents/i);
    assert.equal(standIn.identifies.at(-1)?.outcome, 4014);
  });

  const client = await connect(standIn, defer);

  await t.test('an abrupt close is resumed', async () => {
    const [resume] = await standIn.dropConnection();
    assert.equal(resume?.replayed, 0);
    assert.equal(standIn.identifies.filter((i) => i.outcome === 'ready').length, 1);
  });

  await t.test('overwrite changes reach the client', async () => {
    const channel = client.channels.cache.get(standIn.channelId) as TextChannel;
    const me = channel.guild.members.me;
    assert.ok(me && channel.permissionsFor(me).has(PermissionFlagsBits.SendMessages));
    const updated = once(client, Events.ChannelUpdate);
    standIn.setChannelOverwrites(standIn.channelId, [{ id: client.user.id, type: 1, deny: PermissionFlagsBits.SendMessages }]);
    await updated;
    assert.equal(channel.permissionsFor(me).has(PermissionFlagsBits.SendMessages), false);
    assertApiError(await channel.send('still?').catch((e: unknown) => e), 403, 50013);
  });

  await t.test('routes the stand-in does not model answer 404 and are recorded', async () => {
    const err = await client.rest.get(Routes.guildAuditLog(standIn.guildId)).catch((e: unknown) => e);
    assertApiError(err, 404, 0);
    assert.deepEqual(standIn.unknownRequests.map((r) => [r.method, r.path]), [['GET', `/guilds/${standIn.guildId}/audit-logs`]]);
  });
});

test('IDENTIFY buckets: each recorded with its bucket; with enforcement, a bucket used within 5 s gets opcode 9', async (t) => {
  const defer = cleanupStack(t);
  const standIn = await startStandIn(defer, { maxConcurrency: 2, enforceIdentifyConcurrency: true });
  /** One raw gateway connection: HELLO, then IDENTIFY as `shard`; resolves with the first answer's opcode. */
  const identify = async (shard: [number, number]): Promise<number> => {
    const socket = new WebSocket(`${standIn.apiBase.replace(/^http/, 'ws').replace(/\/api$/, '')}/?v=10&encoding=json`);
    defer(() => socket.terminate());
    const messages: { op: number }[] = [];
    socket.on('message', (data) => messages.push(JSON.parse(String(data)) as { op: number }));
    await once(socket, 'open');
    while (!messages.some((m) => m.op === 10)) await sleep(5);
    socket.send(JSON.stringify({ op: 2, d: { token: standIn.token, intents: GatewayIntentBits.Guilds, properties: {}, shard } }));
    for (;;) {
      const answer = messages.find((m) => m.op === 0 || m.op === 9);
      if (answer) return answer.op;
      await sleep(5);
    }
  };
  assert.equal(await identify([0, 4]), 0, 'bucket 0: READY');
  assert.equal(await identify([1, 4]), 0, 'bucket 1: READY');
  assert.equal(await identify([2, 4]), 9, 'bucket 0 again within 5 s: Invalid Session');
  assert.deepEqual(
    standIn.identifies.map((i) => [i.shard[0], i.bucket, i.outcome]),
    [
      [0, 0, 'ready'],
      [1, 1, 'ready'],
      [2, 0, 'invalid-session'],
    ],
  );
  assert.deepEqual([...standIn.identifyTimesByBucket().keys()], [0, 1], 'sessions started, per bucket');
  assert.equal(standIn.identifyTimesByBucket().get(0)?.length, 1);
});
