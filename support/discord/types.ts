/**
 * What a test hands the stand-in (server, channel, role and user specs; the
 * interactions to dispatch) and what the stand-in records for assertions.
 */
import type { APIMessage } from 'discord-api-types/v10';
import type { PermissionInput } from './permissions.js';

/** A channel permission overwrite; type 0 = role (id = role id, guild id for @everyone), 1 = member. */
export interface OverwriteSpec {
  id: string;
  type: 0 | 1;
  allow?: PermissionInput;
  deny?: PermissionInput;
}

export interface ChannelSpec {
  id?: string;
  name: string;
  /** ChannelType; default 0 (GuildText). */
  type?: number;
  topic?: string | null;
  nsfw?: boolean;
  parentId?: string | null;
  position?: number;
  permission_overwrites?: OverwriteSpec[];
}

export interface RoleSpec {
  /** Omit for @everyone (named '@everyone') to get the guild id, as on Discord. */
  id?: string;
  name: string;
  permissions?: PermissionInput;
  mentionable?: boolean;
  position?: number;
  color?: number;
}

export interface UserSpec {
  id?: string;
  username?: string;
  global_name?: string | null;
  bot?: boolean;
}

export interface MemberSpec {
  user: UserSpec & { id: string };
  roles?: string[];
  nick?: string | null;
}

export interface GuildSpec {
  id?: string;
  name?: string;
  /** Owner user id; by default some user who is not the bot (owners bypass all permission checks). */
  ownerId?: string;
  preferredLocale?: string;
  /** Default: one text channel `#general`. */
  channels?: ChannelSpec[];
  /** Default: @everyone with DEFAULT_EVERYONE_PERMISSIONS. An @everyone role is added if missing. */
  roles?: RoleSpec[];
  /** Extra members (the bot is always a member). */
  members?: MemberSpec[];
  /** Role ids given to the bot in this guild (its permissions come from these and @everyone). */
  botRoles?: string[];
  /** false: the bot is not in this server (default true); only user installs reach it. */
  botInstalled?: boolean;
}

export interface StandInOptions {
  /** The bot token the stand-in accepts (REST `Bot <token>` and IDENTIFY). */
  token?: string;
  /** The bot user (READY `user`, guild member, message author). */
  botUser?: UserSpec;
  /** Defaults to the bot user id, as for every modern Discord application. */
  applicationId?: string;
  /** Default: one guild with #general and @everyone. */
  guilds?: GuildSpec[];
  /** `shards` recommended by `GET /gateway/bot` (used by `shards: 'auto'`). Default 1. */
  recommendedShards?: number;
  /**
   * `session_start_limit.max_concurrency`. Default 16: discord.js spaces
   * IDENTIFYs sharing a concurrency bucket 5 s apart, which would make every
   * multi-shard test slow; 16 gives each shard its own bucket.
   */
  maxConcurrency?: number;
  /**
   * Refuse an IDENTIFY in a rate-limit bucket (`shard id % max_concurrency`)
   * where a session started less than 5 s before, with an Invalid Session
   * (opcode 9), as Discord documents ("Apps are limited by maximum concurrency
   * when identifying"). Default false: tests that restart a bot against one
   * stand-in would otherwise wait 5 s per restart; tests of start-up
   * coordination turn it on. Every IDENTIFY's bucket and time are recorded either way.
   */
  enforceIdentifyConcurrency?: boolean;
  /** HELLO heartbeat_interval. Default 41250 ms like Discord; lower it to exercise heartbeats. */
  heartbeatIntervalMs?: number;
  /**
   * Privileged intents enabled for the application in the developer portal
   * (GuildMembers, GuildPresences, MessageContent bits). IDENTIFY asking for
   * others is closed with 4014, as Discord does. Default: none.
   */
  privilegedIntents?: number;
  /** Default locale of interaction users. Default 'en-US'. */
  locale?: string;
}

/** One HTTP request as received. `path` is relative to `/api/v10` and URL-decoded. */
export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: string;
  /** The matched route template (e.g. `/channels/:channelId/messages`), null when unknown. */
  route: string | null;
  /** Whether an Authorization header was sent at all (webhook routes must not carry one). */
  readonly hadAuth: boolean;
  /** Whether it was `Bot <the accepted token>`. */
  readonly authOk: boolean;
  readonly body: unknown;
  /** Names of uploaded files (multipart requests). */
  readonly files: string[];
  status: number;
  response: unknown;
  /** ms since the stand-in started. */
  readonly at: number;
  /** Set when the response was injected by failNext(). */
  injected?: boolean;
  /** Set when its response was held back by holdResponses(). */
  held?: boolean;
}

/** A POST to /interactions/:id/:token/callback. */
export interface CallbackRecord {
  readonly interactionId: string;
  /** InteractionResponseType (4 reply, 5 deferred reply, 6 deferred update, 7 update, 8 autocomplete, 9 modal). */
  readonly type: number | undefined;
  readonly data: unknown;
  readonly withResponse: boolean;
  status: number;
  /** The error body when status >= 400. */
  error?: unknown;
  /** ms since the interaction was dispatched. */
  readonly at: number;
}

/** A request on /webhooks/:appId/:token[...] (follow-ups and @original). */
export interface WebhookCallRecord {
  readonly method: string;
  readonly interactionId: string | null;
  /** '@original', a message id, or null for POST (follow-up). */
  readonly messageId: string | null;
  readonly body: unknown;
  readonly query: string;
  readonly hadAuth: boolean;
  status: number;
  error?: unknown;
  /** ms since the interaction was dispatched (since stand-in start when the token is unknown). */
  readonly at: number;
}

export interface IdentifyRecord {
  readonly shard: readonly [number, number];
  /** Its rate-limit bucket: shard id % max_concurrency. */
  readonly bucket: number;
  readonly intents: number;
  /** Whether the token matched (the token itself is never recorded). */
  readonly tokenAccepted: boolean;
  readonly properties: unknown;
  /** 'ready'; 'invalid-session' (opcode 9: its bucket was used less than 5 s before); or the close code the stand-in answered with. */
  outcome: 'ready' | 'invalid-session' | number;
  readonly at: number;
}

export interface ResumeRecord {
  readonly shardId: number;
  readonly sessionId: string;
  /** The `seq` the client resumed from. */
  readonly seq: number;
  /** How many missed events were replayed before RESUMED. */
  readonly replayed: number;
  /** The URL path the client connected to (resume_gateway_url's path is `/resume`). */
  readonly path: string;
  readonly at: number;
}

export interface GatewayCloseRecord {
  readonly shardId: number | null;
  readonly code: number;
  readonly by: 'client' | 'stand-in';
  readonly at: number;
}

/** What the invoking user ends up seeing for an interaction. */
export interface InteractionResponse {
  /** The callback type that started it. */
  readonly callbackType: number;
  /** The visible message (snapshot at the time it became visible); null for autocomplete/modal. */
  readonly message: APIMessage | null;
  readonly ephemeral: boolean;
  /** Autocomplete choices (callback type 8). */
  readonly choices: readonly { name: string; value: string | number }[] | null;
  /** Modal data (callback type 9). */
  readonly modal: unknown;
  /** How it became visible: the callback itself, an edit of @original, or a follow-up. */
  readonly via: 'callback' | 'edit' | 'follow-up';
  /** ms since dispatch. */
  readonly at: number;
}

// ---------------------------------------------------------------------------
// Interaction dispatch inputs
// ---------------------------------------------------------------------------

/** An option as Discord sends it in `data.options` (subcommands nest `options`). */
export interface CommandOptionInput {
  name: string;
  /** ApplicationCommandOptionType. */
  type: number;
  value?: string | number | boolean;
  options?: CommandOptionInput[];
  focused?: boolean;
}

/** Who invokes an interaction and where; every field has a default. */
export interface InvokerSpec {
  /** Default: the first configured guild. */
  guildId?: string;
  /** Default: the first text channel of the guild. */
  channelId?: string;
  /** Default: a plain member ('tester') with only @everyone. */
  user?: UserSpec;
  /** Role ids of the invoking member (default: the configured member's roles, else none). */
  memberRoles?: string[];
  /** Override `member.permissions` (default: computed in the channel from roles/overwrites). */
  memberPermissions?: PermissionInput;
  locale?: string;
  /** Override the acknowledgement deadline for this interaction only. */
  deadlineMs?: number;
  /**
   * Interaction context type: 0 a server channel (default), 1 the DM with the
   * bot, 2 a group DM (the bot is not a recipient).
   */
  context?: 0 | 1 | 2;
  /**
   * Which installations authorize it (`authorizing_integration_owners`):
   * 'guild' (key "0"), 'user' (key "1", the invoking user installed the app)
   * or 'both'. Default: 'guild' in a server the bot is in and in its DM,
   * 'user' elsewhere.
   */
  install?: 'guild' | 'user' | 'both';
}

export interface CommandSpec extends InvokerSpec {
  name: string;
  options?: CommandOptionInput[];
}

export interface AutocompleteSpec extends InvokerSpec {
  name: string;
  /** Must contain exactly one option with `focused: true` (its value is the typed text, always a string). */
  options: CommandOptionInput[];
}

export interface ButtonSpec extends InvokerSpec {
  customId: string;
  /** The message the button sits on: a message id known to the stand-in, or a full message object. */
  message: string | APIMessage;
}
