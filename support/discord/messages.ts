/**
 * Messages as Discord stores them, shared by interaction callbacks, webhooks
 * and channel posts: creation (interaction metadata, ephemeral or in the
 * channel's history, MESSAGE_CREATE), PATCH-style edits, deletion, and the
 * body checks every create or edit passes first.
 */
import { InteractionType, MessageFlags, type APIEmbed, type APIMessage } from 'discord-api-types/v10';
import { ERRORS, invalidFormBody, type Reply } from './errors.js';
import type { Gateway } from './gateway.js';
import type { UploadedFile } from './http.js';
import { snowflake } from './snowflake.js';
import { isObject, type ChannelState, type InteractionState, type Json, type World } from './state.js';
import { isEmptyMessage, validateMessageBody, type FormErrors } from './validation.js';

export class MessageStore {
  constructor(
    private readonly world: World,
    private readonly gateway: Gateway,
  ) {}

  createMessage(args: {
    channel: ChannelState;
    body: Json;
    files: UploadedFile[];
    ephemeral: boolean;
    loading?: boolean;
    interaction?: InteractionState;
    followUpOf?: string | null;
  }): APIMessage {
    const { channel, body, files, interaction } = args;
    const id = snowflake();
    let flags = (typeof body.flags === 'number' ? body.flags : 0) & ~MessageFlags.Ephemeral & ~MessageFlags.Loading;
    if (args.ephemeral) flags |= MessageFlags.Ephemeral;
    if (args.loading) flags |= MessageFlags.Loading;
    const message: Json = {
      id,
      channel_id: channel.id,
      ...(channel.guildId === null ? {} : { guild_id: channel.guildId }),
      author: this.world.botUser,
      content: typeof body.content === 'string' ? body.content : '',
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      tts: body.tts === true,
      mention_everyone: false,
      mentions: [],
      mention_roles: [],
      attachments: files.map((f) => this.apiAttachment(f, channel.id)),
      embeds: normalizeEmbeds(body.embeds),
      components: Array.isArray(body.components) ? body.components : [],
      pinned: false,
      // 20 = ChatInputCommand: replies to slash commands; anything else is a default message.
      type: interaction?.type === InteractionType.ApplicationCommand ? 20 : 0,
      flags,
      // Echoed back, as Discord does, so the sender can match its message.
      ...(typeof body.nonce === 'string' || typeof body.nonce === 'number' ? { nonce: body.nonce } : {}),
    };
    if (interaction) {
      message.webhook_id = this.world.applicationId;
      message.application_id = this.world.applicationId;
      const metadata: Json = {
        id: interaction.id,
        type: interaction.type,
        user: interaction.user,
        authorizing_integration_owners: interaction.owners,
      };
      if (interaction.type === InteractionType.ApplicationCommand) {
        metadata.name = interaction.commandName;
        metadata.command_type = 1;
        // Legacy field still sent by Discord alongside interaction_metadata.
        message.interaction = { id: interaction.id, type: interaction.type, name: interaction.commandName, user: interaction.user };
      } else if (interaction.componentMessageId) {
        metadata.interacted_message_id = interaction.componentMessageId;
      }
      if (args.followUpOf) metadata.original_response_message_id = args.followUpOf;
      message.interaction_metadata = metadata;
    }
    const stored = message as unknown as APIMessage;
    this.world.messages.set(id, stored);
    if (args.ephemeral) {
      this.world.ephemeralIds.add(id);
    } else {
      const history = this.world.channelHistory.get(channel.id) ?? [];
      history.push(id);
      this.world.channelHistory.set(channel.id, history);
      channel.lastMessageId = id;
      // The bot hears only servers it is in (and no DMs: it does not ask for that intent).
      if (this.botIn(channel)) this.gateway.dispatchMessageEvent(channel.guildId as string, 'MESSAGE_CREATE', stored);
    }
    return stored;
  }

  /** Apply an edit body to a stored message (PATCH semantics: absent fields are kept). */
  editMessage(message: APIMessage, body: Json, files: UploadedFile[]): void {
    const target = message as unknown as Json;
    const wasLoading = ((message.flags ?? 0) & MessageFlags.Loading) !== 0;
    if ('content' in body) target.content = typeof body.content === 'string' ? body.content : '';
    if ('embeds' in body) target.embeds = normalizeEmbeds(body.embeds);
    if ('components' in body) target.components = Array.isArray(body.components) ? body.components : [];
    if ('attachments' in body || files.length) {
      const keep = Array.isArray(body.attachments) ? (body.attachments as unknown[]).filter(isObject).map((a) => String(a.id)) : [];
      const kept = message.attachments.filter((a) => keep.includes(a.id));
      target.attachments = [...kept, ...files.map((f) => this.apiAttachment(f, message.channel_id))];
    }
    // Ephemerality is fixed at creation; only SUPPRESS_EMBEDS may change. The
    // loading state ends with the first edit.
    let flags = (message.flags ?? 0) & ~MessageFlags.Loading;
    if (typeof body.flags === 'number') {
      flags = (flags & ~MessageFlags.SuppressEmbeds) | (body.flags & MessageFlags.SuppressEmbeds);
    }
    target.flags = flags;
    if (!wasLoading) target.edited_timestamp = new Date().toISOString();
    if (!this.world.ephemeralIds.has(message.id)) {
      const channel = this.world.findChannel(message.channel_id);
      if (channel && this.botIn(channel)) this.gateway.dispatchMessageEvent(channel.guildId as string, 'MESSAGE_UPDATE', message);
    }
  }

  private botIn(channel: ChannelState): boolean {
    return channel.guildId !== null && this.world.guilds.get(channel.guildId)?.botInstalled === true;
  }

  deleteMessage(message: APIMessage): void {
    this.world.messages.delete(message.id);
    this.world.ephemeralIds.delete(message.id);
    const history = this.world.channelHistory.get(message.channel_id);
    if (history) this.world.channelHistory.set(message.channel_id, history.filter((id) => id !== message.id));
  }

  private apiAttachment(file: UploadedFile, channelId: string): Json {
    const id = snowflake();
    const url = `https://cdn.discordapp.com/attachments/${channelId}/${id}/${encodeURIComponent(file.name)}`;
    return { id, filename: file.name, size: file.size, url, proxy_url: url, content_type: file.contentType };
  }

  /** Validate a create/edit body: form limits (50035), then emptiness (50006). */
  checkMessageBody(body: Json, files: UploadedFile[], nestUnder?: string, resulting?: Json): Reply | null {
    const errors: FormErrors = validateMessageBody(body);
    if (!errors.empty) return invalidFormBody(nestUnder ? errors.nestedUnder(nestUnder) : errors.tree);
    if (isEmptyMessage(resulting ?? body, files.length)) return ERRORS.emptyMessage;
    return null;
  }
}

/** Discord returns embeds with `type: 'rich'` filled in. */
function normalizeEmbeds(embeds: unknown): APIEmbed[] {
  if (!Array.isArray(embeds)) return [];
  return embeds.filter(isObject).map((e) => ({ type: 'rich', ...e }) as APIEmbed);
}
