/**
 * The world the stand-in models: its servers (roles, channels, members),
 * messages, interactions in flight, and the records tests assert on. Every
 * section (REST routes, gateway, interactions) reads and changes this one
 * object, so they always agree.
 */
import { randomBytes } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import { ChannelType, GatewayIntentBits, InteractionType, type APIMessage, type APIUser, type UserFlags } from 'discord-api-types/v10';
import {
  channelPermissions,
  DEFAULT_EVERYONE_PERMISSIONS,
  toPermissionBits,
  type Overwrite,
  type PermissionGuild,
} from './permissions.js';
import { snowflake } from './snowflake.js';
import type {
  CallbackRecord,
  GatewayCloseRecord,
  GuildSpec,
  IdentifyRecord,
  InteractionResponse,
  OverwriteSpec,
  RecordedRequest,
  ResumeRecord,
  StandInOptions,
  UserSpec,
  WebhookCallRecord,
} from './types.js';

export type Json = Record<string, unknown>;

export interface RoleState {
  id: string;
  name: string;
  permissions: bigint;
  mentionable: boolean;
  position: number;
  color: number;
}

export interface ChannelState {
  id: string;
  /** null for a private channel (a DM or a group DM), which belongs to no server. */
  guildId: string | null;
  /** Private channels only: who is in it. */
  recipients?: APIUser[];
  name: string;
  type: number;
  topic: string | null;
  nsfw: boolean;
  parentId: string | null;
  position: number;
  overwrites: Overwrite[];
  lastMessageId: string | null;
  /** Threads only. */
  thread?: { ownerId: string; createdAt: string; autoArchiveDuration: number };
}

export interface MemberState {
  user: APIUser;
  roles: string[];
  nick: string | null;
  joinedAt: string;
}

export interface GuildState extends PermissionGuild {
  id: string;
  name: string;
  ownerId: string;
  preferredLocale: string;
  joinedAt: string;
  /** False for a server the bot is not in (only users who installed the app can use it there). */
  botInstalled: boolean;
  roles: Map<string, RoleState>;
  channels: Map<string, ChannelState>;
  members: Map<string, MemberState>;
  /** Derived view for the permission helpers. */
  readonly rolePermissions: ReadonlyMap<string, bigint>;
}

export interface InteractionState {
  id: string;
  token: string;
  type: InteractionType;
  /** null in a private channel. */
  guildId: string | null;
  channelId: string;
  /** Interaction context type: 0 a server, 1 the bot's DM, 2 another private channel. */
  context: 0 | 1 | 2;
  /** `authorizing_integration_owners`: "0" the installing server (or "0" in the bot's DM), "1" the installing user. */
  owners: Record<string, string>;
  /** Discord makes every response private: a user-installed app in a server that denies the member Use External Apps. */
  forcedEphemeral: boolean;
  user: APIUser;
  commandName: string | null;
  payload: Json;
  dispatchedAt: number;
  deadlineMs: number;
  /** The message a component sits on (component interactions only). */
  componentMessageId: string | null;
  callback: { type: number; at: number } | null;
  /** The message `@original` designates. */
  originalId: string | null;
  followUpIds: string[];
  visible: InteractionResponse | null;
  /** Pending InteractionHandle.waitFor calls. */
  listeners: Set<Listener>;
}

export interface Listener {
  /** Re-evaluate after a change. */
  check(): void;
  /** Give up (the stand-in is closing). */
  cancel(reason: Error): void;
}

/** Options with their defaults filled in. */
export interface WorldOptions {
  readonly recommendedShards: number;
  readonly maxConcurrency: number;
  readonly enforceIdentifyConcurrency: boolean;
  readonly heartbeatIntervalMs: number;
  readonly privilegedIntents: number;
  readonly locale: string;
}

/** Discord's IDENTIFY window: `max_concurrency` sessions may start per bucket in it. */
export const IDENTIFY_WINDOW_MS = 5000;

/** Discord's acknowledgement deadline for an interaction. */
export const INTERACTION_DEADLINE_MS = 3000;
/** How long an interaction token accepts follow-ups and edits. */
export const INTERACTION_TOKEN_LIFETIME_MS = 15 * 60_000;

export class World {
  /** e.g. `http://127.0.0.1:PORT/api`: give it to `new Client({ rest: { api } })`. */
  readonly apiBase: string;
  /** The gateway URL `GET /gateway/bot` announces. */
  readonly gatewayUrl: string;
  /** What READY gives as `resume_gateway_url` (a different path, so tests can see it was used). */
  readonly resumeGatewayUrl: string;
  readonly token: string;
  readonly applicationId: string;
  readonly botUser: APIUser;
  readonly options: WorldOptions;

  readonly requests: RecordedRequest[] = [];
  readonly callbacks: CallbackRecord[] = [];
  readonly webhookCalls: WebhookCallRecord[] = [];
  readonly identifies: IdentifyRecord[] = [];
  readonly resumes: ResumeRecord[] = [];
  readonly gatewayCloses: GatewayCloseRecord[] = [];
  heartbeats = 0;

  readonly guilds = new Map<string, GuildState>();
  /** DMs and group DMs, by id. */
  readonly privateChannels = new Map<string, ChannelState>();
  readonly messages = new Map<string, APIMessage>();
  /** Non-ephemeral message ids per channel, in order. */
  readonly channelHistory = new Map<string, string[]>();
  readonly ephemeralIds = new Set<string>();
  /**
   * Nonces sent with `enforce_nonce`, by author and nonce: the message created under each and when. Discord
   * returns that message instead of creating another while it remembers the nonce ("the past few minutes").
   */
  readonly enforcedNonces = new Map<string, { messageId: string; at: number }>();
  readonly interactions = new Map<string, InteractionState>();
  readonly interactionsByToken = new Map<string, InteractionState>();
  readonly startedAt = performance.now();
  refuseRest = false;
  refuseGateway = false;

  constructor(
    /** Where the gateway emits 'identify', 'resume' and 'gatewayClose' (the StandIn). */
    readonly events: EventEmitter,
    port: number,
    options: StandInOptions,
  ) {
    this.apiBase = `http://127.0.0.1:${port}/api`;
    this.gatewayUrl = `ws://127.0.0.1:${port}`;
    this.resumeGatewayUrl = `ws://127.0.0.1:${port}/resume`;
    this.token = options.token ?? `stand-in.${randomBytes(18).toString('base64url')}`;
    this.botUser = { ...makeUser({ username: 'Hidden Voices', ...options.botUser, bot: true }, 'Hidden Voices'), discriminator: '0001' };
    this.applicationId = options.applicationId ?? this.botUser.id;
    this.options = {
      recommendedShards: options.recommendedShards ?? 1,
      maxConcurrency: options.maxConcurrency ?? 16,
      enforceIdentifyConcurrency: options.enforceIdentifyConcurrency ?? false,
      heartbeatIntervalMs: options.heartbeatIntervalMs ?? 41250,
      privilegedIntents: options.privilegedIntents ?? 0,
      locale: options.locale ?? 'en-US',
    };
    for (const spec of options.guilds ?? [{}]) this.addGuild(spec);
  }

  /** ms since the stand-in started (or since `since`), to 0.1 ms. */
  elapsed(since = this.startedAt): number {
    return Math.round((performance.now() - since) * 10) / 10;
  }

  /** Id of the first configured guild. */
  get guildId(): string {
    const first = this.guilds.keys().next();
    if (first.done) throw new Error('stand-in has no guild');
    return first.value;
  }

  /** A message by id (current state, a copy), including ephemeral ones. */
  snapshot(id: string): APIMessage | undefined {
    const message = this.messages.get(id);
    return message ? structuredClone(message) : undefined;
  }

  addGuild(spec: GuildSpec): void {
    const id = spec.id ?? snowflake();
    const joinedAt = new Date().toISOString();
    const roles = new Map<string, RoleState>();
    (spec.roles ?? []).forEach((r, i) => {
      const roleId = r.id ?? (r.name === '@everyone' ? id : snowflake());
      roles.set(roleId, {
        id: roleId,
        name: r.name,
        permissions: r.permissions === undefined && roleId === id ? DEFAULT_EVERYONE_PERMISSIONS : toPermissionBits(r.permissions),
        mentionable: r.mentionable ?? false,
        position: r.position ?? (roleId === id ? 0 : i + 1),
        color: r.color ?? 0,
      });
    });
    if (!roles.has(id)) {
      roles.set(id, { id, name: '@everyone', permissions: DEFAULT_EVERYONE_PERMISSIONS, mentionable: false, position: 0, color: 0 });
    }
    const channels = new Map<string, ChannelState>();
    (spec.channels ?? [{ name: 'general' }]).forEach((c, i) => {
      const channelId = c.id ?? snowflake();
      channels.set(channelId, {
        id: channelId,
        guildId: id,
        name: c.name,
        type: c.type ?? ChannelType.GuildText,
        topic: c.topic ?? null,
        nsfw: c.nsfw ?? false,
        parentId: c.parentId ?? null,
        position: c.position ?? i,
        overwrites: (c.permission_overwrites ?? []).map(toOverwrite),
        lastMessageId: null,
      });
    });
    const members = new Map<string, MemberState>();
    const botInstalled = spec.botInstalled ?? true;
    if (botInstalled) members.set(this.botUser.id, { user: this.botUser, roles: spec.botRoles ?? [], nick: null, joinedAt });
    for (const m of spec.members ?? []) {
      const user = makeUser(m.user, `user-${m.user.id.slice(-4)}`);
      members.set(m.user.id, { user, roles: m.roles ?? [], nick: m.nick ?? null, joinedAt });
    }
    const guild: GuildState = {
      id,
      name: spec.name ?? 'Stand-in Guild',
      ownerId: spec.ownerId ?? snowflake(),
      preferredLocale: spec.preferredLocale ?? 'en-US',
      joinedAt,
      botInstalled,
      roles,
      channels,
      members,
      get rolePermissions() {
        return new Map([...roles.values()].map((r) => [r.id, r.permissions]));
      },
    };
    this.guilds.set(id, guild);
  }

  guildState(id: string): GuildState {
    const guild = this.guilds.get(id);
    if (!guild) throw new Error(`unknown guild ${id}`);
    return guild;
  }

  defaultChannelOf(guild: GuildState): ChannelState {
    const channel = [...guild.channels.values()].find((c) => c.type === ChannelType.GuildText);
    if (!channel) throw new Error(`guild ${guild.id} has no text channel`);
    return channel;
  }

  /**
   * A private channel: the DM between `user` and the bot (one per user), or a
   * group DM (`group`) of `user` and others, where the bot is never a recipient.
   */
  privateChannel(user: APIUser, kind: 'bot-dm' | 'group', id?: string): ChannelState {
    const existing = id ? this.privateChannels.get(id) : [...this.privateChannels.values()].find((c) => kind === 'bot-dm' && c.type === ChannelType.DM && c.recipients?.[0]?.id === user.id);
    if (existing) return existing;
    const channel: ChannelState = {
      id: id ?? snowflake(),
      guildId: null,
      name: kind === 'group' ? 'study group' : '',
      type: kind === 'group' ? ChannelType.GroupDM : ChannelType.DM,
      topic: null,
      nsfw: false,
      parentId: null,
      position: 0,
      overwrites: [],
      lastMessageId: null,
      recipients: kind === 'group' ? [user, makeUser({ username: 'classmate' }, 'classmate')] : [user],
    };
    this.privateChannels.set(channel.id, channel);
    return channel;
  }

  findChannel(id: string): ChannelState | undefined {
    const own = this.privateChannels.get(id);
    if (own) return own;
    for (const guild of this.guilds.values()) {
      const channel = guild.channels.get(id);
      if (channel) return channel;
    }
    return undefined;
  }

  /** Permissions of `userId` in `channel` (threads use their parent's overwrites, like Discord). */
  permissionsIn(channel: ChannelState, userId: string, roleOverride?: string[]): bigint {
    if (channel.guildId === null) throw new Error(`channel ${channel.id} is a private channel: it has no permissions`);
    const guild = this.guildState(channel.guildId);
    const source = isThread(channel.type) && channel.parentId ? (guild.channels.get(channel.parentId) ?? channel) : channel;
    const roles = roleOverride ?? guild.members.get(userId)?.roles ?? [];
    return channelPermissions(guild, source.overwrites, userId, roles);
  }


  apiApplication(): Json {
    return {
      id: this.applicationId,
      name: this.botUser.username,
      icon: null,
      description: '',
      bot_public: true,
      bot_require_code_grant: false,
      bot: this.botUser,
      flags: this.applicationFlags(),
      verify_key: '0'.repeat(64),
      team: null,
      owner: makeUser({ id: '0', username: 'owner' }, 'owner'),
      summary: '',
      integration_types_config: { '0': {} },
    };
  }

  /** The "limited" gateway intent flags matching the privileged intents enabled for the app. */
  applicationFlags(): number {
    const p = this.options.privilegedIntents;
    let flags = 0;
    if (p & GatewayIntentBits.GuildPresences) flags |= 1 << 13;
    if (p & GatewayIntentBits.GuildMembers) flags |= 1 << 15;
    if (p & GatewayIntentBits.MessageContent) flags |= 1 << 19;
    return flags;
  }
}

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function makeUser(spec: UserSpec | undefined, fallbackName: string): APIUser {
  const id = spec?.id ?? snowflake();
  return {
    id,
    username: spec?.username ?? fallbackName,
    discriminator: '0',
    global_name: spec?.global_name ?? null,
    avatar: null,
    bot: spec?.bot ?? false,
    public_flags: 0 as UserFlags,
  };
}

export function isThread(type: number): boolean {
  return type === ChannelType.PublicThread || type === ChannelType.PrivateThread || type === ChannelType.AnnouncementThread;
}

export function toOverwrite(spec: OverwriteSpec): Overwrite {
  return { id: spec.id, type: spec.type, allow: toPermissionBits(spec.allow), deny: toPermissionBits(spec.deny) };
}
