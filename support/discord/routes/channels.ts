/**
 * Channel routes: GET a channel, POST a message (SEND_MESSAGES or, in
 * threads, SEND_MESSAGES_IN_THREADS; embeds dropped without EMBED_LINKS, as
 * Discord does), GET a message (READ_MESSAGE_HISTORY), start a thread from a
 * message, edit a message (PATCH: only the author's own, 50005 otherwise;
 * absent fields kept; a repeated nonce with enforce_nonce returns the first message). Invisible channels answer 50001 Missing Access, as on Discord.
 */
import { ChannelType, PermissionFlagsBits } from 'discord-api-types/v10';
import { ERRORS, invalidFormBody, missingPermissions, type Reply } from '../errors.js';
import type { Gateway } from '../gateway.js';
import { route, type Route, type RouteContext } from '../http.js';
import type { MessageStore } from '../messages.js';
import { apiChannel } from '../objects.js';
import { isObject, isThread, type ChannelState, type Json, type World } from '../state.js';
import { isEmptyMessage } from '../validation.js';

/** How long Discord remembers an enforced nonce: "the past few minutes"; the bot retries well inside it. */
export const NONCE_MEMORY_MS = 5 * 60_000;

/** Discord's rule for a message nonce: an integer or a string of at most 25 characters. */
function invalidNonce(nonce: unknown): Reply | undefined {
  if (nonce === undefined || nonce === null || Number.isInteger(nonce)) return undefined;
  if (typeof nonce !== 'string') return invalidFormBody({ nonce: { _errors: [{ code: 'BASE_TYPE_BAD_TYPE', message: 'Must be an integer or a string.' }] } });
  if (nonce.length > 25) return invalidFormBody({ nonce: { _errors: [{ code: 'BASE_TYPE_BAD_LENGTH', message: 'Must be 25 or fewer in length.' }] } });
  return undefined;
}

export class Channels {
  constructor(
    private readonly world: World,
    private readonly store: MessageStore,
    private readonly gateway: Gateway,
  ) {}

  routes(): Route[] {
    return [
      route('GET', '/channels/:channelId', true, (c) => this.getChannel(c)),
      route('POST', '/channels/:channelId/messages', true, (c) => this.postChannelMessage(c)),
      route('GET', '/channels/:channelId/messages/:messageId', true, (c) => this.getChannelMessage(c)),
      route('PATCH', '/channels/:channelId/messages/:messageId', true, (c) => this.editChannelMessage(c)),
      route('POST', '/channels/:channelId/messages/:messageId/threads', true, (c) => this.startThread(c)),
    ];
  }

  private visibleChannel(channelId: string | undefined): ChannelState | Reply {
    const channel = channelId ? this.world.findChannel(channelId) : undefined;
    if (!channel) return ERRORS.unknownChannel;
    // A group DM, a server the bot is not in (a user install reaches them, the bot's token does not). The bot's own
    // DM is not modelled for REST: nothing of the bot writes there outside an interaction.
    if (channel.guildId === null || !this.world.guildState(channel.guildId).botInstalled) return ERRORS.missingAccess;
    if (!(this.world.permissionsIn(channel, this.world.botUser.id) & PermissionFlagsBits.ViewChannel)) return ERRORS.missingAccess;
    return channel;
  }

  private getChannel(ctx: RouteContext): Reply {
    const channel = this.visibleChannel(ctx.params.channelId);
    return 'status' in channel ? channel : { status: 200, body: apiChannel(channel, true) };
  }

  private getChannelMessage(ctx: RouteContext): Reply {
    const channel = this.visibleChannel(ctx.params.channelId);
    if ('status' in channel) return channel;
    if (!(this.world.permissionsIn(channel, this.world.botUser.id) & PermissionFlagsBits.ReadMessageHistory)) return ERRORS.missingAccess;
    const message = ctx.params.messageId ? this.world.messages.get(ctx.params.messageId) : undefined;
    if (!message || message.channel_id !== channel.id || this.world.ephemeralIds.has(message.id)) return ERRORS.unknownMessage;
    return { status: 200, body: message };
  }

  /** Edit Message: the bot may edit the content, embeds and components of its own messages only. */
  private editChannelMessage(ctx: RouteContext): Reply {
    const channel = this.visibleChannel(ctx.params.channelId);
    if ('status' in channel) return channel;
    const message = ctx.params.messageId ? this.world.messages.get(ctx.params.messageId) : undefined;
    if (!message || message.channel_id !== channel.id || this.world.ephemeralIds.has(message.id)) return ERRORS.unknownMessage;
    if (message.author.id !== this.world.botUser.id) return ERRORS.cannotEditOthersMessage;
    const body = isObject(ctx.body) ? ctx.body : {};
    const invalid = this.store.checkMessageBody(body, ctx.files, undefined, { ...(message as unknown as Json), ...body });
    if (invalid) return invalid;
    this.store.editMessage(message, body, ctx.files);
    return { status: 200, body: message };
  }

  private postChannelMessage(ctx: RouteContext): Reply {
    const channel = this.visibleChannel(ctx.params.channelId);
    if ('status' in channel) return channel;
    const body = isObject(ctx.body) ? ctx.body : {};
    const permissions = this.world.permissionsIn(channel, this.world.botUser.id);
    const sendBit = isThread(channel.type) ? PermissionFlagsBits.SendMessagesInThreads : PermissionFlagsBits.SendMessages;
    if (!(permissions & sendBit)) return missingPermissions(permissions, sendBit);
    const invalid = this.store.checkMessageBody(body, ctx.files) ?? invalidNonce(body.nonce);
    if (invalid) return invalid;
    // enforce_nonce: a message by the same author with the same nonce in the past few minutes is returned as is;
    // no new message, no MESSAGE_CREATE.
    const enforced = body.enforce_nonce === true && body.nonce !== undefined && body.nonce !== null;
    const nonceKey = `${this.world.botUser.id}:${String(body.nonce)}`;
    if (enforced) {
      const seen = this.world.enforcedNonces.get(nonceKey);
      const existing = seen && Date.now() - seen.at < NONCE_MEMORY_MS ? this.world.messages.get(seen.messageId) : undefined;
      if (existing) return { status: 200, body: existing };
    }
    let effective = body;
    const hasEmbeds = Array.isArray(body.embeds) && body.embeds.length > 0;
    if (hasEmbeds && !(permissions & PermissionFlagsBits.EmbedLinks)) {
      // Without EMBED_LINKS Discord drops the embeds; if that leaves nothing it refuses the post.
      effective = { ...body, embeds: [] };
      if (isEmptyMessage(effective, ctx.files.length)) return missingPermissions(permissions, PermissionFlagsBits.EmbedLinks);
    }
    const message = this.store.createMessage({ channel, body: effective, files: ctx.files, ephemeral: false });
    if (enforced) this.world.enforcedNonces.set(nonceKey, { messageId: message.id, at: Date.now() });
    return { status: 200, body: message };
  }

  private startThread(ctx: RouteContext): Reply {
    const channel = this.visibleChannel(ctx.params.channelId);
    if ('status' in channel) return channel;
    const message = ctx.params.messageId ? this.world.messages.get(ctx.params.messageId) : undefined;
    if (!message || message.channel_id !== channel.id || this.world.ephemeralIds.has(message.id)) return ERRORS.unknownMessage;
    const permissions = this.world.permissionsIn(channel, this.world.botUser.id);
    if (!(permissions & PermissionFlagsBits.CreatePublicThreads)) {
      return missingPermissions(permissions, PermissionFlagsBits.CreatePublicThreads);
    }
    const body = isObject(ctx.body) ? ctx.body : {};
    if (typeof body.name !== 'string' || body.name.length < 1 || body.name.length > 100) {
      return invalidFormBody({ name: { _errors: [{ code: 'BASE_TYPE_BAD_LENGTH', message: 'Must be between 1 and 100 in length.' }] } });
    }
    if (this.world.findChannel(message.id)) return ERRORS.threadAlreadyCreated;
    const guild = this.world.guildState(channel.guildId as string);
    const createdAt = new Date().toISOString();
    // A thread started from a message takes the message's id.
    const thread: ChannelState = {
      id: message.id,
      guildId: guild.id,
      name: body.name,
      type: channel.type === ChannelType.GuildAnnouncement ? ChannelType.AnnouncementThread : ChannelType.PublicThread,
      topic: null,
      nsfw: false,
      parentId: channel.id,
      position: 0,
      overwrites: [],
      lastMessageId: null,
      thread: {
        ownerId: this.world.botUser.id,
        createdAt,
        autoArchiveDuration: typeof body.auto_archive_duration === 'number' ? body.auto_archive_duration : 1440,
      },
    };
    guild.channels.set(thread.id, thread);
    const apiThread = apiChannel(thread, true);
    (message as unknown as Json).thread = apiThread;
    this.gateway.dispatchToGuild(guild.id, 'THREAD_CREATE', { ...apiThread, newly_created: true });
    return { status: 201, body: apiThread };
  }
}
