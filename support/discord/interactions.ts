/**
 * Interactions as Discord dispatches them: who invokes them and where (member,
 * roles, permissions in the channel, locale), INTERACTION_CREATE payloads for
 * slash commands, autocomplete and buttons (with `data.resolved` for channel,
 * role and user options), sent on the shard that holds the guild; and the
 * handle a test waits on for what the bot answered.
 */
import { randomBytes } from 'node:crypto';
import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  ChannelType,
  InteractionType,
  PermissionFlagsBits,
  type APIMessage,
  type APIUser,
} from 'discord-api-types/v10';
import type { Gateway } from './gateway.js';
import { apiChannel, apiMember, apiRole } from './objects.js';
import { toPermissionBits } from './permissions.js';
import type { Commands } from './routes/commands.js';
import { snowflake } from './snowflake.js';
import {
  INTERACTION_DEADLINE_MS,
  isObject,
  makeUser,
  type ChannelState,
  type GuildState,
  type InteractionState,
  type Json,
  type Listener,
  type World,
} from './state.js';
import type {
  AutocompleteSpec,
  ButtonSpec,
  CallbackRecord,
  CommandOptionInput,
  CommandSpec,
  InteractionResponse,
  InvokerSpec,
  WebhookCallRecord,
} from './types.js';

/** Who invokes an interaction, where, resolved from an InvokerSpec. */
interface InvokerContext {
  /** null in a private channel. */
  guild: GuildState | null;
  channel: ChannelState;
  user: APIUser;
  memberRoles: string[];
  /** null outside a server. */
  memberPermissions: bigint | null;
  locale: string;
  deadlineMs: number;
  context: 0 | 1 | 2;
  /** `authorizing_integration_owners`. */
  owners: Record<string, string>;
}

/** What Discord gives an app in a private channel (`app_permissions`), documented per context. */
const PRIVATE_APP_PERMISSIONS = PermissionFlagsBits.AttachFiles | PermissionFlagsBits.EmbedLinks | PermissionFlagsBits.MentionEveryone;
const BOT_DM_APP_PERMISSIONS = PRIVATE_APP_PERMISSIONS | PermissionFlagsBits.UseExternalEmojis;

const DEFAULT_WAIT_MS = 5000;

/**
 * Returned by the `send*` helpers once the interaction has been written to the
 * gateway. Use it to wait for and inspect what the bot did in response.
 */
export class InteractionHandle {
  /** The interaction id (also the `:id` of its callback URL). */
  readonly id: string;
  /** The interaction token (the webhook token of its follow-ups). */
  readonly token: string;
  /** The exact INTERACTION_CREATE `d` that was dispatched. */
  readonly payload: Json;

  constructor(
    private readonly world: World,
    private readonly state: InteractionState,
  ) {
    this.id = state.id;
    this.token = state.token;
    this.payload = state.payload;
  }

  /** The successful callback, if any. */
  get callback(): CallbackRecord | undefined {
    return this.world.callbacks.find((c) => c.interactionId === this.id && c.status < 400);
  }

  /** All callback attempts and webhook calls for this interaction, in order. */
  get calls(): (CallbackRecord | WebhookCallRecord)[] {
    return [
      ...this.world.callbacks.filter((c) => c.interactionId === this.id),
      ...this.world.webhookCalls.filter((w) => w.interactionId === this.id),
    ].sort((a, b) => a.at - b.at);
  }

  /** Current state of the message `@original` designates (undefined before any). */
  get original(): APIMessage | undefined {
    return this.state.originalId ? this.world.snapshot(this.state.originalId) : undefined;
  }

  /** Follow-up messages, current state (deleted ones omitted). */
  get followUps(): APIMessage[] {
    return this.state.followUpIds.flatMap((id) => this.world.snapshot(id) ?? []);
  }

  /** Resolves with the callback once the bot acknowledged the interaction. */
  acknowledged(timeoutMs = DEFAULT_WAIT_MS): Promise<CallbackRecord> {
    return this.waitFor(() => this.callback, timeoutMs, 'an acknowledgement');
  }

  /**
   * Resolves with what the user first sees: the reply (type 4), the updated
   * message (type 7), the deferred message once edited or followed up (5/6),
   * the autocomplete choices (8) or the modal (9).
   */
  response(timeoutMs = DEFAULT_WAIT_MS): Promise<InteractionResponse> {
    return this.waitFor(() => this.state.visible ?? undefined, timeoutMs, 'a visible response');
  }

  /**
   * Re-evaluates `probe` after every change to this interaction and resolves
   * with its first truthy result; rejects after `timeoutMs` with a summary of
   * what the bot did, which is usually the fastest way to see why a test hangs.
   */
  waitFor<T>(probe: () => T | undefined | null | false, timeoutMs = DEFAULT_WAIT_MS, what = 'condition'): Promise<T> {
    const first = probe();
    if (first) return Promise.resolve(first);
    return new Promise<T>((resolve, reject) => {
      const listener: Listener = {
        check: () => {
          const value = probe();
          if (value) {
            cleanup();
            resolve(value);
          }
        },
        cancel: (reason) => {
          cleanup();
          reject(reason);
        },
      };
      const timer = setTimeout(() => {
        cleanup();
        const calls = this.calls.map((c) => {
          const what = 'method' in c ? `${c.method} webhook ${c.messageId ?? 'follow-up'}` : `callback type ${String(c.type)}`;
          return `${what} → ${c.status}`;
        });
        reject(
          new Error(
            `interaction ${this.id} (${this.state.commandName ?? 'component'}): timed out after ${timeoutMs} ms waiting for ${what}; ` +
              `bot did: ${calls.length ? calls.join(', ') : 'nothing'}`,
          ),
        );
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        this.state.listeners.delete(listener);
      };
      this.state.listeners.add(listener);
    });
  }
}

/** Builds and dispatches interactions (the `send*` helpers of the stand-in). */
export class Interactions {
  constructor(
    private readonly world: World,
    private readonly gateway: Gateway,
    private readonly commands: Commands,
  ) {}

  async sendCommand(spec: CommandSpec): Promise<InteractionHandle> {
    const ctx = this.invoker(spec);
    const commandType = ApplicationCommandType.ChatInput;
    const registered = this.commands.findCommand(ctx.guild?.id ?? null, spec.name, commandType);
    offered(registered?.body, ctx, spec.name);
    const data: Json = {
      id: registered?.id ?? this.commands.commandIdFor('dispatch', commandType, spec.name),
      name: spec.name,
      type: commandType,
    };
    if (registered?.guildId) data.guild_id = registered.guildId;
    if (spec.options) {
      data.options = spec.options;
      const resolved = this.resolveOptions(ctx, spec.options);
      if (resolved) data.resolved = resolved;
    }
    return this.dispatchInteraction(InteractionType.ApplicationCommand, ctx, data, { commandName: spec.name });
  }

  /** Dispatch an autocomplete request (INTERACTION_CREATE type 4). */
  async sendAutocomplete(spec: AutocompleteSpec): Promise<InteractionHandle> {
    const focused: CommandOptionInput[] = [];
    const walk = (options: CommandOptionInput[]): void => {
      for (const option of options) {
        if (option.focused) focused.push(option);
        if (option.options) walk(option.options);
      }
    };
    walk(spec.options);
    if (focused.length !== 1) throw new Error('sendAutocomplete: exactly one option must have focused: true');
    const ctx = this.invoker(spec);
    const registered = this.commands.findCommand(ctx.guild?.id ?? null, spec.name, 1);
    offered(registered?.body, ctx, spec.name);
    const data: Json = {
      id: registered?.id ?? this.commands.commandIdFor('dispatch', 1, spec.name),
      name: spec.name,
      type: 1,
      options: spec.options,
    };
    if (registered?.guildId) data.guild_id = registered.guildId;
    return this.dispatchInteraction(InteractionType.ApplicationCommandAutocomplete, ctx, data, { commandName: spec.name });
  }

  /** Dispatch a button press (INTERACTION_CREATE type 3) on a message. */
  async sendButton(spec: ButtonSpec): Promise<InteractionHandle> {
    let message: APIMessage | undefined;
    if (typeof spec.message === 'string') {
      message = this.world.messages.get(spec.message);
      if (!message) throw new Error(`sendButton: unknown message ${spec.message}`);
    } else {
      // A message the stand-in did not create: adopt it so type 7 / @original can edit it.
      message = structuredClone(spec.message);
      this.world.messages.set(message.id, message);
    }
    const buttons = (message.components ?? []).flatMap((row) => ('components' in row ? (row.components as unknown[]) : []));
    if (buttons.length && !buttons.some((b) => isObject(b) && b.custom_id === spec.customId)) {
      throw new Error(`sendButton: message ${message.id} has no button with custom_id ${spec.customId}`);
    }
    const ctx = this.invoker({ ...spec, channelId: spec.channelId ?? message.channel_id });
    const data = { custom_id: spec.customId, component_type: 2 };
    return this.dispatchInteraction(InteractionType.MessageComponent, ctx, data, {
      commandName: null,
      message,
    });
  }

  private invoker(spec: InvokerSpec): InvokerContext {
    const context = spec.context ?? 0;
    const locale = spec.locale ?? this.world.options.locale;
    const deadlineMs = spec.deadlineMs ?? INTERACTION_DEADLINE_MS;
    if (context !== 0) {
      // A private channel: no server, no member, no permissions of the user's; `user` instead of `member`.
      const user = makeUser(spec.user, 'tester');
      const install = spec.install ?? (context === 1 ? 'guild' : 'user');
      // Discord: guild-installed commands are offered in the bot's DM (owner "0" is then "0"), never in other private channels.
      if (context === 2 && install !== 'user') throw new Error('context 2 (a group DM) is reached only through a user install');
      const owners: Record<string, string> = {};
      if (install !== 'user') owners['0'] = '0';
      if (install !== 'guild') owners['1'] = user.id;
      const channel = this.world.privateChannel(user, context === 1 ? 'bot-dm' : 'group', spec.channelId);
      return { guild: null, channel, user, memberRoles: [], memberPermissions: null, locale, deadlineMs, context, owners };
    }
    const guild = this.world.guildState(spec.guildId ?? this.world.guildId);
    const channel = spec.channelId ? guild.channels.get(spec.channelId) : this.world.defaultChannelOf(guild);
    if (!channel) throw new Error(`channel ${spec.channelId ?? '?'} is not in guild ${guild.id}`);
    const configured = spec.user?.id ? guild.members.get(spec.user.id) : undefined;
    const user = configured?.user ?? makeUser(spec.user, 'tester');
    const memberRoles = spec.memberRoles ?? configured?.roles ?? [];
    const memberPermissions =
      spec.memberPermissions !== undefined ? toPermissionBits(spec.memberPermissions) : this.world.permissionsIn(channel, user.id, memberRoles);
    const install = spec.install ?? (guild.botInstalled ? 'guild' : 'user');
    if (install !== 'user' && !guild.botInstalled) throw new Error(`the bot is not in guild ${guild.id}: only a user install reaches it`);
    const owners: Record<string, string> = {};
    if (install !== 'user') owners['0'] = guild.id;
    if (install !== 'guild') owners['1'] = user.id;
    return { guild, channel, user, memberRoles, memberPermissions, locale, deadlineMs, context, owners };
  }

  /** `data.resolved` for channel/role/user/mentionable options, as discord.js reads it. */
  private resolveOptions(ctx: InvokerContext, options: CommandOptionInput[]): Json | undefined {
    const { guild } = ctx;
    // Outside a server only user options could resolve; the bot's commands have none.
    if (!guild) return undefined;
    const channels: Json = {};
    const roles: Json = {};
    const users: Json = {};
    const members: Json = {};
    const resolveUser = (id: string): void => {
      const member = guild.members.get(id);
      users[id] = member?.user ?? makeUser({ id }, `user-${id.slice(-4)}`);
      if (member) {
        // Resolved members carry their permissions in the interaction's channel.
        const inChannel = this.world.permissionsIn(ctx.channel, id);
        members[id] = { ...apiMember(member, false), permissions: inChannel.toString() };
      }
    };
    const walk = (list: CommandOptionInput[]): void => {
      for (const option of list) {
        if (option.options) walk(option.options);
        const id = String(option.value ?? '');
        switch (option.type) {
          case ApplicationCommandOptionType.Channel: {
            const channel = guild.channels.get(id);
            if (!channel) throw new Error(`channel option ${option.name}: channel ${id} is not in guild ${guild.id}`);
            // Discord's partial channel: `permissions` are the invoker's, `app_permissions` the bot's.
            const partial = apiChannel(channel, true);
            delete partial.permission_overwrites;
            channels[id] = {
              ...partial,
              permissions: this.world.permissionsIn(channel, ctx.user.id, ctx.memberRoles).toString(),
              app_permissions: this.world.permissionsIn(channel, this.world.botUser.id).toString(),
            };
            break;
          }
          case ApplicationCommandOptionType.Role: {
            const role = guild.roles.get(id);
            if (!role) throw new Error(`role option ${option.name}: role ${id} is not in guild ${guild.id}`);
            roles[id] = apiRole(role);
            break;
          }
          case ApplicationCommandOptionType.User:
            resolveUser(id);
            break;
          case ApplicationCommandOptionType.Mentionable: {
            const role = guild.roles.get(id);
            if (role) roles[id] = apiRole(role);
            else resolveUser(id);
            break;
          }
        }
      }
    };
    walk(options);
    const resolved: Json = {};
    for (const [key, value] of Object.entries({ channels, roles, users, members })) {
      if (Object.keys(value).length) resolved[key] = value;
    }
    return Object.keys(resolved).length ? resolved : undefined;
  }

  private async dispatchInteraction(
    type: InteractionType,
    ctx: InvokerContext,
    data: Json,
    extra: { commandName: string | null; message?: APIMessage },
  ): Promise<InteractionHandle> {
    const { guild, channel, user } = ctx;
    // Discord sends an interaction on the shard of its server; a private channel's on shard 0.
    const sessions = (guild ? this.gateway.sessionsFor(guild.id) : this.gateway.sessionsOnShard(0)).filter((s) => s.guildsDelivered);
    const session = sessions[sessions.length - 1];
    if (!session) throw new Error(`no gateway session is ready for ${guild ? `guild ${guild.id}` : 'shard 0'}: is a client logged in and ready?`);
    const userInstallOnly = ctx.owners['0'] === undefined;
    // Use External Apps (a server's switch for apps the server did not install): without it the response is private.
    const forcedEphemeral = ctx.context === 0 && userInstallOnly && ((ctx.memberPermissions ?? 0n) & PermissionFlagsBits.UseExternalApps) === 0n;
    const state: InteractionState = {
      id: snowflake(),
      token: `stand-in-interaction.${randomBytes(32).toString('base64url')}`,
      type,
      guildId: guild?.id ?? null,
      channelId: channel.id,
      context: ctx.context,
      owners: ctx.owners,
      forcedEphemeral,
      user,
      commandName: extra.commandName,
      payload: {},
      dispatchedAt: 0,
      deadlineMs: ctx.deadlineMs,
      componentMessageId: extra.message?.id ?? null,
      callback: null,
      originalId: null,
      followUpIds: [],
      visible: null,
      listeners: new Set(),
    };
    const payload: Json = {
      id: state.id,
      application_id: this.world.applicationId,
      type,
      token: state.token,
      version: 1,
      data,
      channel_id: channel.id,
      locale: ctx.locale,
      entitlements: [],
      authorizing_integration_owners: ctx.owners,
      context: ctx.context,
      attachment_size_limit: 10 * 1024 * 1024,
    };
    if (guild) {
      const memberPermissions = ctx.memberPermissions ?? 0n;
      const member = guild.members.get(user.id) ?? { user, roles: ctx.memberRoles, nick: null, joinedAt: guild.joinedAt };
      Object.assign(payload, {
        guild: { id: guild.id, locale: guild.preferredLocale, features: [] },
        guild_id: guild.id,
        guild_locale: guild.preferredLocale,
        channel: { ...apiChannel(channel, true), permissions: memberPermissions.toString() },
        member: { ...apiMember({ ...member, roles: ctx.memberRoles }), permissions: memberPermissions.toString() },
        // In a server the bot is not in, what its channel grants everyone (the bot has no member there).
        app_permissions: this.world.permissionsIn(channel, this.world.botUser.id, guild.botInstalled ? undefined : []).toString(),
      });
    } else {
      Object.assign(payload, {
        channel: privateChannelObject(channel),
        user,
        app_permissions: (ctx.context === 1 ? BOT_DM_APP_PERMISSIONS : PRIVATE_APP_PERMISSIONS).toString(),
      });
    }
    if (extra.message) payload.message = structuredClone(extra.message);
    state.payload = payload;
    this.world.interactions.set(state.id, state);
    this.world.interactionsByToken.set(state.token, state);
    // The acknowledgement clock starts when Discord sends the event.
    state.dispatchedAt = performance.now();
    this.gateway.dispatch(session, 'INTERACTION_CREATE', payload);
    return new InteractionHandle(this.world, state);
  }
}

/** The partial channel Discord puts in a private channel's interaction. */
function privateChannelObject(channel: ChannelState): Json {
  const out: Json = { id: channel.id, type: channel.type, flags: 0, last_message_id: channel.lastMessageId, recipients: channel.recipients ?? [] };
  if (channel.type === ChannelType.GroupDM) Object.assign(out, { name: channel.name, icon: null, owner_id: channel.recipients?.[0]?.id ?? null });
  return out;
}

/**
 * Discord offers a command only where it is declared for: its `contexts` (all
 * three when absent) and its
 * `integration_types` (guild install when absent). Unregistered commands (tests
 * that plant a handler) are not checked.
 */
function offered(body: Json | undefined, ctx: InvokerContext, name: string): void {
  if (!body) return;
  const contexts = Array.isArray(body.contexts) ? (body.contexts as number[]) : [0, 1, 2];
  const types = Array.isArray(body.integration_types) ? (body.integration_types as number[]) : [0];
  const installed = Object.keys(ctx.owners).map(Number);
  if (!contexts.includes(ctx.context) || !installed.some((t) => types.includes(t))) {
    throw new Error(`Discord would not offer /${name} here: context ${ctx.context}, installed as ${JSON.stringify(ctx.owners)}; it is declared for contexts ${JSON.stringify(contexts)} and installation types ${JSON.stringify(types)}`);
  }
}
