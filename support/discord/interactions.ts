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
  InteractionType,
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
  guild: GuildState;
  channel: ChannelState;
  user: APIUser;
  memberRoles: string[];
  memberPermissions: bigint;
  locale: string;
  deadlineMs: number;
}

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
    const registered = this.commands.findCommand(ctx.guild.id, spec.name, commandType);
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
    const registered = this.commands.findCommand(ctx.guild.id, spec.name, 1);
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
    const guild = this.world.guildState(spec.guildId ?? this.world.guildId);
    const channel = spec.channelId ? guild.channels.get(spec.channelId) : this.world.defaultChannelOf(guild);
    if (!channel) throw new Error(`channel ${spec.channelId ?? '?'} is not in guild ${guild.id}`);
    const configured = spec.user?.id ? guild.members.get(spec.user.id) : undefined;
    const user = configured?.user ?? makeUser(spec.user, 'tester');
    const memberRoles = spec.memberRoles ?? configured?.roles ?? [];
    const memberPermissions =
      spec.memberPermissions !== undefined ? toPermissionBits(spec.memberPermissions) : this.world.permissionsIn(channel, user.id, memberRoles);
    return {
      guild,
      channel,
      user,
      memberRoles,
      memberPermissions,
      locale: spec.locale ?? this.world.options.locale,
      deadlineMs: spec.deadlineMs ?? INTERACTION_DEADLINE_MS,
    };
  }

  /** `data.resolved` for channel/role/user/mentionable options, as discord.js reads it. */
  private resolveOptions(ctx: InvokerContext, options: CommandOptionInput[]): Json | undefined {
    const { guild } = ctx;
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
    const sessions = this.gateway.sessionsFor(guild.id).filter((s) => s.guildsDelivered);
    const session = sessions[sessions.length - 1];
    if (!session) throw new Error(`no gateway session has received guild ${guild.id}: is a client logged in and ready?`);
    const appPermissions = this.world.permissionsIn(channel, this.world.botUser.id).toString();
    const partialChannel = { ...apiChannel(channel, true), permissions: ctx.memberPermissions.toString() };
    const member = guild.members.get(user.id) ?? { user, roles: ctx.memberRoles, nick: null, joinedAt: guild.joinedAt };
    const state: InteractionState = {
      id: snowflake(),
      token: `stand-in-interaction.${randomBytes(32).toString('base64url')}`,
      type,
      guildId: guild.id,
      channelId: channel.id,
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
      guild: { id: guild.id, locale: guild.preferredLocale, features: [] },
      guild_id: guild.id,
      channel_id: channel.id,
      channel: partialChannel,
      member: { ...apiMember({ ...member, roles: ctx.memberRoles }), permissions: ctx.memberPermissions.toString() },
      app_permissions: appPermissions,
      locale: ctx.locale,
      guild_locale: guild.preferredLocale,
      entitlements: [],
      authorizing_integration_owners: { '0': guild.id },
      context: 0,
      attachment_size_limit: 10 * 1024 * 1024,
    };
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
