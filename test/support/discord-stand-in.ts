/**
 * A local stand-in for Discord that a real discord.js `Client` connects to
 * over loopback: REST (node:http) and the gateway (ws) on 127.0.0.1, one
 * ephemeral port. It exists so end-to-end tests can run with no internet.
 *
 * ```ts
 * const standIn = await StandIn.start();
 * t.after(() => standIn.close());          // destroy your clients first, see close()
 * const client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: standIn.apiBase } });
 * const ready = once(client, Events.ClientReady);
 * await client.login(standIn.token);
 * await ready;
 * client.on(Events.InteractionCreate, (i) => { if (i.isChatInputCommand()) void i.reply('hi'); });
 * const handle = await standIn.sendCommand({ name: 'quote' });
 * const { message, ephemeral } = await handle.response();
 * ```
 *
 * What it models, and why each piece is here:
 * - The login path discord.js really takes: `GET /gateway/bot` (its 401 is how
 *   discord.js detects a bad token), then per shard HELLO → IDENTIFY → READY
 *   (guilds as unavailable stubs) → one GUILD_CREATE per guild of that shard
 *   (discord.js only emits `clientReady` once every READY guild has arrived).
 * - Heartbeats, sequence numbers, op 7 RECONNECT and RESUME (with replay of
 *   events dispatched while the client was away), 4004 on a refused token.
 * - Interactions: INTERACTION_CREATE payloads shaped like Discord's, the
 *   callback endpoint with its 3 s deadline and single-acknowledgement rule,
 *   and the auth-less webhook endpoints for @original and follow-ups.
 * - Channel posts with permission checks computed from the configured roles
 *   and overwrites, threads, command registration, and Discord's form limits.
 * - Everything the bot sends is recorded (with timings) for assertions; any
 *   route not modelled answers 404 and is listed in `unknownRequests`.
 *
 * Error bodies use Discord's real codes and messages (see ERRORS below). Two
 * deliberate deviations from a naive reading of "reject like Discord": a post
 * to a channel the bot cannot see is 403 **50001 Missing Access** (that is what
 * Discord answers, not 50013), and an embed posted without EMBED_LINKS is only
 * refused (50013) when the message has nothing else to show; with content it
 * is accepted and the embeds are dropped, as Discord does.
 *
 * The bot token is never written anywhere: records keep only whether an
 * Authorization header was present and accepted.
 */
import { randomBytes, createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import {
  ApplicationCommandOptionType,
  ChannelType,
  GatewayCloseCodes,
  GatewayIntentBits,
  GatewayOpcodes,
  InteractionResponseType,
  InteractionType,
  MessageFlags,
  PermissionFlagsBits,
  type APIEmbed,
  type APIMessage,
  type APIUser,
  type UserFlags,
} from 'discord-api-types/v10';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import {
  channelPermissions,
  missingPermissionNames,
  toPermissionBits,
  type Overwrite,
  type PermissionGuild,
  type PermissionInput,
} from './stand-in/permissions.js';
import {
  isEmptyMessage,
  validateAutocompleteChoices,
  validateCommandList,
  validateMessageBody,
  type FormErrors,
  type FormErrorTree,
} from './stand-in/validation.js';

export { ALL_PERMISSIONS, type PermissionInput } from './stand-in/permissions.js';
export { LIMITS } from './stand-in/validation.js';

// ---------------------------------------------------------------------------
// Snowflakes and sharding
// ---------------------------------------------------------------------------

const DISCORD_EPOCH = 1420070400000n;
let snowflakeIncrement = 0n;

/**
 * A fresh Discord-style id (19 digits). discord.js' REST router only treats
 * 17–19 digit path segments as ids, so test ids must look real.
 */
export function snowflake(timestampMs: number = Date.now()): string {
  snowflakeIncrement = (snowflakeIncrement + 1n) & 0xfffn;
  return (((BigInt(timestampMs) - DISCORD_EPOCH) << 22n) | snowflakeIncrement).toString();
}

/** The shard Discord routes a guild to: `(guild_id >> 22) % shard_count`. */
export function shardForGuild(guildId: string, shardCount: number): number {
  return Number((BigInt(guildId) >> 22n) % BigInt(shardCount));
}

/** A guild id that lands on `shardId` out of `shardCount` shards. */
export function guildIdForShard(shardId: number, shardCount: number): string {
  const now = BigInt(Date.now()) - DISCORD_EPOCH;
  const offset = (BigInt(shardId) - (now % BigInt(shardCount)) + BigInt(shardCount)) % BigInt(shardCount);
  return snowflake(Number(now + offset + DISCORD_EPOCH));
}

// ---------------------------------------------------------------------------
// Public configuration types
// ---------------------------------------------------------------------------

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
  /** HELLO heartbeat_interval. Default 41250 ms like Discord; lower it to exercise heartbeats. */
  heartbeatIntervalMs?: number;
  /** Time to acknowledge an interaction before the callback gets 10062. Default 3000 ms. */
  interactionDeadlineMs?: number;
  /** Lifetime of interaction webhook tokens. Default 15 min. */
  interactionTokenLifetimeMs?: number;
  /**
   * Privileged intents enabled for the application in the developer portal
   * (GuildMembers, GuildPresences, MessageContent bits). IDENTIFY asking for
   * others is closed with 4014, as Discord does. Default: none.
   */
  privilegedIntents?: number;
  /** Default locale of interaction users. Default 'en-US'. */
  locale?: string;
}

/** Discord's default @everyone permissions in a new server (roughly: read, write, embed, threads, voice). */
export const DEFAULT_EVERYONE_PERMISSIONS: bigint =
  PermissionFlagsBits.CreateInstantInvite |
  PermissionFlagsBits.AddReactions |
  PermissionFlagsBits.Stream |
  PermissionFlagsBits.ViewChannel |
  PermissionFlagsBits.SendMessages |
  PermissionFlagsBits.EmbedLinks |
  PermissionFlagsBits.AttachFiles |
  PermissionFlagsBits.ReadMessageHistory |
  PermissionFlagsBits.MentionEveryone |
  PermissionFlagsBits.UseExternalEmojis |
  PermissionFlagsBits.Connect |
  PermissionFlagsBits.Speak |
  PermissionFlagsBits.UseVAD |
  PermissionFlagsBits.ChangeNickname |
  PermissionFlagsBits.UseApplicationCommands |
  PermissionFlagsBits.CreatePublicThreads |
  PermissionFlagsBits.CreatePrivateThreads |
  PermissionFlagsBits.SendMessagesInThreads |
  PermissionFlagsBits.UseExternalStickers;

const PRIVILEGED_INTENTS =
  GatewayIntentBits.GuildMembers | GatewayIntentBits.GuildPresences | GatewayIntentBits.MessageContent;

// ---------------------------------------------------------------------------
// Records exposed for assertions
// ---------------------------------------------------------------------------

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
  readonly intents: number;
  /** Whether the token matched (the token itself is never recorded). */
  readonly tokenAccepted: boolean;
  readonly properties: unknown;
  /** 'ready', or the close code the stand-in answered with. */
  outcome: 'ready' | number;
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
}

export interface CommandSpec extends InvokerSpec {
  name: string;
  options?: CommandOptionInput[];
  /** ApplicationCommandType; default 1 (chat input). */
  commandType?: number;
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

// ---------------------------------------------------------------------------
// Discord's error bodies
// ---------------------------------------------------------------------------

interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

const error = (status: number, code: number, message: string): Reply => ({ status, body: { message, code } });

/** Discord's own status/code/message triples for the errors the stand-in produces. */
export const ERRORS = {
  unauthorized: error(401, 0, '401: Unauthorized'),
  notFound: error(404, 0, '404: Not Found'),
  methodNotAllowed: error(405, 0, '405: Method Not Allowed'),
  invalidJson: error(400, 50109, 'The request body contains invalid JSON.'),
  unknownChannel: error(404, 10003, 'Unknown Channel'),
  unknownGuild: error(404, 10004, 'Unknown Guild'),
  unknownMessage: error(404, 10008, 'Unknown Message'),
  unknownWebhook: error(404, 10015, 'Unknown Webhook'),
  unknownInteraction: error(404, 10062, 'Unknown interaction'),
  alreadyAcknowledged: error(400, 40060, 'Interaction has already been acknowledged.'),
  missingAccess: error(403, 50001, 'Missing Access'),
  missingPermissions: error(403, 50013, 'Missing Permissions'),
  emptyMessage: error(400, 50006, 'Cannot send an empty message'),
  invalidWebhookToken: error(401, 50027, 'Invalid Webhook Token'),
  threadAlreadyCreated: error(400, 160004, 'A thread has already been created for this message'),
  internal: error(500, 0, '500: Internal Server Error'),
} as const satisfies Record<string, Reply>;

function invalidFormBody(errors: FormErrorTree): Reply {
  return { status: 400, body: { message: 'Invalid Form Body', code: 50035, errors } };
}

// ---------------------------------------------------------------------------
// Internal state
// ---------------------------------------------------------------------------

type Json = Record<string, unknown>;

interface RoleState {
  id: string;
  name: string;
  permissions: bigint;
  mentionable: boolean;
  position: number;
  color: number;
}

interface ChannelState {
  id: string;
  guildId: string;
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

interface MemberState {
  user: APIUser;
  roles: string[];
  nick: string | null;
  joinedAt: string;
}

interface GuildState extends PermissionGuild {
  id: string;
  name: string;
  ownerId: string;
  preferredLocale: string;
  joinedAt: string;
  roles: Map<string, RoleState>;
  channels: Map<string, ChannelState>;
  members: Map<string, MemberState>;
  /** Derived view for the permission helpers. */
  readonly rolePermissions: ReadonlyMap<string, bigint>;
}

interface GatewayPayload {
  op: number;
  d: unknown;
  s: number | null;
  t: string | null;
}

interface Session {
  id: string;
  shardId: number;
  shardCount: number;
  intents: number;
  seq: number;
  /** Dispatched events, kept so a RESUME can replay what the client missed. */
  backlog: GatewayPayload[];
  connection: GatewayConnection | null;
  /** Closed with 1000/1001 or replaced: cannot be resumed any more. */
  invalidated: boolean;
  /** Guilds already delivered (GUILD_CREATE), so interactions are not sent before their guild. */
  guildsDelivered: boolean;
}

interface GatewayConnection {
  socket: WebSocket;
  path: string;
  session: Session | null;
  closed: boolean;
  heartbeatWaiters: (() => void)[];
}

interface StoredCommand {
  id: string;
  version: string;
  body: Json;
}

interface InteractionState {
  id: string;
  token: string;
  type: InteractionType;
  guildId: string;
  channelId: string;
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

interface Listener {
  /** Re-evaluate after a change. */
  check(): void;
  /** Give up (the stand-in is closing). */
  cancel(reason: Error): void;
}

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

interface UploadedFile {
  field: string;
  name: string;
  size: number;
  contentType: string;
}

interface RouteContext {
  params: Record<string, string>;
  body: unknown;
  files: UploadedFile[];
  query: URLSearchParams;
  hadAuth: boolean;
}

interface Route {
  method: string;
  template: string;
  segments: string[];
  /** Whether `Authorization: Bot <token>` is required (webhook/callback routes take none). */
  auth: boolean;
  handle: (ctx: RouteContext) => Reply | Promise<Reply>;
}

interface InjectedFailure {
  matcher: string | RegExp;
  reply: Reply;
}

const DEFAULT_WAIT_MS = 5000;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function makeUser(spec: UserSpec | undefined, fallbackName: string): APIUser {
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

function isThread(type: number): boolean {
  return type === ChannelType.PublicThread || type === ChannelType.PrivateThread || type === ChannelType.AnnouncementThread;
}

// ---------------------------------------------------------------------------
// Interaction handle
// ---------------------------------------------------------------------------

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
    private readonly standIn: StandIn,
    private readonly state: InteractionState,
  ) {
    this.id = state.id;
    this.token = state.token;
    this.payload = state.payload;
  }

  /** The successful callback, if any. */
  get callback(): CallbackRecord | undefined {
    return this.standIn.callbacks.find((c) => c.interactionId === this.id && c.status < 400);
  }

  /** All callback attempts and webhook calls for this interaction, in order. */
  get calls(): (CallbackRecord | WebhookCallRecord)[] {
    return [
      ...this.standIn.callbacks.filter((c) => c.interactionId === this.id),
      ...this.standIn.webhookCalls.filter((w) => w.interactionId === this.id),
    ].sort((a, b) => a.at - b.at);
  }

  /** Current state of the message `@original` designates (undefined before any). */
  get original(): APIMessage | undefined {
    return this.state.originalId ? this.standIn.message(this.state.originalId) : undefined;
  }

  /** Follow-up messages, current state (deleted ones omitted). */
  get followUps(): APIMessage[] {
    return this.state.followUpIds.flatMap((id) => this.standIn.message(id) ?? []);
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

// ---------------------------------------------------------------------------
// The stand-in
// ---------------------------------------------------------------------------

/**
 * The local Discord. Create with `await StandIn.start(options)`, stop with
 * `await standIn.close()`.
 *
 * Events (EventEmitter): 'request' (RecordedRequest), 'identify'
 * (IdentifyRecord), 'resume' (ResumeRecord), 'gatewayClose'
 * (GatewayCloseRecord).
 */
export class StandIn extends EventEmitter {
  /** e.g. `http://127.0.0.1:PORT/api`: give it to `new Client({ rest: { api } })`. */
  readonly apiBase: string;
  /** The gateway URL `GET /gateway/bot` announces. */
  readonly gatewayUrl: string;
  /** What READY gives as `resume_gateway_url` (a different path, so tests can see it was used). */
  readonly resumeGatewayUrl: string;
  readonly token: string;
  readonly applicationId: string;
  readonly botUser: APIUser;

  /** Every HTTP request, in arrival order. */
  readonly requests: RecordedRequest[] = [];
  /** Every interaction callback attempt. */
  readonly callbacks: CallbackRecord[] = [];
  /** Every webhook (follow-up / @original) call. */
  readonly webhookCalls: WebhookCallRecord[] = [];
  readonly identifies: IdentifyRecord[] = [];
  /** Successful resumes; `resumes.length` is the count. */
  readonly resumes: ResumeRecord[] = [];
  readonly gatewayCloses: GatewayCloseRecord[] = [];
  /** Heartbeats (op 1) received. */
  heartbeats = 0;

  private readonly options: Required<
    Pick<
      StandInOptions,
      | 'recommendedShards'
      | 'maxConcurrency'
      | 'heartbeatIntervalMs'
      | 'interactionDeadlineMs'
      | 'interactionTokenLifetimeMs'
      | 'privilegedIntents'
      | 'locale'
    >
  >;
  private readonly guildStates = new Map<string, GuildState>();
  private readonly messages = new Map<string, APIMessage>();
  /** Non-ephemeral message ids per channel, in order. */
  private readonly channelHistory = new Map<string, string[]>();
  private readonly ephemeralIds = new Set<string>();
  private readonly commandStore = new Map<string, StoredCommand[]>();
  /** `${scope}:${type}:${name}` → id, so re-registering a command keeps its id. */
  private readonly commandIds = new Map<string, string>();
  private readonly interactions = new Map<string, InteractionState>();
  private readonly interactionsByToken = new Map<string, InteractionState>();
  private readonly sessions: Session[] = [];
  private readonly connections = new Set<GatewayConnection>();
  private readonly failures: InjectedFailure[] = [];
  private readonly routes: Route[];
  private readonly startedAt = performance.now();
  private refuseRest = false;
  private refuseGateway = false;
  private closed = false;

  private constructor(
    private readonly server: Server,
    private readonly wss: WebSocketServer,
    port: number,
    options: StandInOptions,
  ) {
    super();
    this.apiBase = `http://127.0.0.1:${port}/api`;
    this.gatewayUrl = `ws://127.0.0.1:${port}`;
    this.resumeGatewayUrl = `ws://127.0.0.1:${port}/resume`;
    this.token = options.token ?? `stand-in.${randomBytes(18).toString('base64url')}`;
    this.botUser = { ...makeUser({ username: 'Hidden Voices', ...options.botUser, bot: true }, 'Hidden Voices'), discriminator: '0001' };
    this.applicationId = options.applicationId ?? this.botUser.id;
    this.options = {
      recommendedShards: options.recommendedShards ?? 1,
      maxConcurrency: options.maxConcurrency ?? 16,
      heartbeatIntervalMs: options.heartbeatIntervalMs ?? 41250,
      interactionDeadlineMs: options.interactionDeadlineMs ?? 3000,
      interactionTokenLifetimeMs: options.interactionTokenLifetimeMs ?? 15 * 60_000,
      privilegedIntents: options.privilegedIntents ?? 0,
      locale: options.locale ?? 'en-US',
    };
    for (const spec of options.guilds ?? [{}]) this.addGuild(spec);
    this.routes = this.buildRoutes();
  }

  /** Start listening on 127.0.0.1 (ephemeral port). */
  static async start(options: StandInOptions = {}): Promise<StandIn> {
    const server = createServer();
    const wss = new WebSocketServer({ noServer: true });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    const standIn = new StandIn(server, wss, port, options);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => void standIn.onHttpRequest(req, res));
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => standIn.onUpgrade(req, socket, head));
    return standIn;
  }

  /**
   * Close every socket and stop listening. Destroy discord.js clients *before*
   * calling this: a client that loses its gateway keeps trying to resume, and
   * `client.destroy()` cannot stop a reconnect already in flight.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const connection of this.connections) connection.socket.terminate();
    const closing = new Error('the stand-in was closed');
    for (const state of this.interactions.values()) for (const listener of [...state.listeners]) listener.cancel(closing);
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // -------------------------------------------------------------------------
  // Public helpers: configuration and inspection
  // -------------------------------------------------------------------------

  /** Id of the first configured guild. */
  get guildId(): string {
    const first = this.guildStates.keys().next();
    if (first.done) throw new Error('stand-in has no guild');
    return first.value;
  }

  /** Id of the first text channel of the first guild. */
  get channelId(): string {
    return this.defaultChannelOf(this.guildState(this.guildId)).id;
  }

  /** Requests to routes the stand-in does not model (answered 404). */
  get unknownRequests(): RecordedRequest[] {
    return this.requests.filter((r) => r.route === null);
  }

  /** A message by id (current state), including ephemeral ones. */
  message(id: string): APIMessage | undefined {
    const message = this.messages.get(id);
    return message ? structuredClone(message) : undefined;
  }

  /** Messages in a channel's history, oldest first (ephemeral ones only when asked). */
  channelMessages(channelId: string, { includeEphemeral = false } = {}): APIMessage[] {
    const ids = this.channelHistory.get(channelId) ?? [];
    const visible = ids.flatMap((id) => this.message(id) ?? []);
    if (!includeEphemeral) return visible;
    const ephemeral = [...this.ephemeralIds].flatMap((id) => {
      const m = this.messages.get(id);
      return m && m.channel_id === channelId ? [structuredClone(m)] : [];
    });
    return [...visible, ...ephemeral].sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
  }

  /** Registered commands: global ones, or those of `guildId`. */
  commands(guildId?: string): Json[] {
    return (this.commandStore.get(guildId ?? 'global') ?? []).map((c) => this.apiCommand(c, guildId));
  }

  /** The channel as Discord would return it from `GET /channels/:id`. */
  channel(id: string): Json | undefined {
    const channel = this.findChannel(id);
    return channel ? this.apiChannel(channel, true) : undefined;
  }

  /**
   * The bot's permissions in a channel, as the stand-in enforces them (the
   * same arithmetic as discord.js' `channel.permissionsFor(guild.members.me)`).
   */
  botPermissions(channelId: string): bigint {
    const channel = this.findChannel(channelId);
    if (!channel) throw new Error(`unknown channel ${channelId}`);
    return this.permissionsIn(channel, this.botUser.id);
  }

  /**
   * Make the accepted token invalid: REST answers 401 and IDENTIFY/RESUME are
   * closed with 4004. With `{ gatewayOnly: true }` REST keeps accepting it,
   * which is how a test reaches the gateway's 4004 path (discord.js checks the
   * token with `GET /gateway/bot` first).
   */
  revokeToken({ gatewayOnly = false } = {}): void {
    this.refuseGateway = true;
    this.refuseRest = !gatewayOnly;
  }

  /**
   * Make the next request matching `route` fail with `status`. `route` is
   * either `'METHOD /template'` (e.g. `'POST /channels/:channelId/messages'`,
   * as listed by `routeTemplates`) or a RegExp tested against
   * `'METHOD /actual/path'`. Call it n times to fail n requests. For 429 a
   * Discord-like body and `retry-after` (0.05 s) are filled in unless given;
   * pass `{ 'x-ratelimit-global': 'true' }` for a global limit. Injected
   * failures have no side effects (nothing is stored or dispatched).
   */
  failNext(route: string | RegExp, status: number, body?: unknown, headers: Record<string, string> = {}): void {
    let replyBody = body;
    const replyHeaders = { ...headers };
    if (status === 429) {
      const retryAfter = Number(replyHeaders['retry-after'] ?? 0.05);
      replyHeaders['retry-after'] ??= String(retryAfter);
      replyHeaders['x-ratelimit-scope'] ??= 'x-ratelimit-global' in replyHeaders ? 'global' : 'user';
      replyBody ??= {
        message: 'You are being rate limited.',
        retry_after: retryAfter,
        global: 'x-ratelimit-global' in replyHeaders,
        code: 0,
      };
    }
    replyBody ??= status >= 500 ? ERRORS.internal.body : { message: `${status}`, code: 0 };
    this.failures.push({ matcher: route, reply: { status, body: replyBody, headers: replyHeaders } });
  }

  /** The route templates the stand-in models, as `'METHOD /template'`. */
  get routeTemplates(): string[] {
    return this.routes.map((r) => `${r.method} ${r.template}`);
  }

  /** Delete a channel (and its threads): later requests get 10003 and clients get CHANNEL_DELETE. */
  deleteChannel(id: string): void {
    const channel = this.findChannel(id);
    if (!channel) throw new Error(`unknown channel ${id}`);
    const guild = this.guildState(channel.guildId);
    for (const thread of [...guild.channels.values()].filter((c) => c.parentId === id && isThread(c.type))) {
      guild.channels.delete(thread.id);
      this.dispatchToGuild(guild.id, 'THREAD_DELETE', { id: thread.id, guild_id: guild.id, parent_id: id, type: thread.type });
    }
    guild.channels.delete(id);
    this.dispatchToGuild(guild.id, isThread(channel.type) ? 'THREAD_DELETE' : 'CHANNEL_DELETE', this.apiChannel(channel, true));
  }

  /**
   * The bot is removed from a guild (kicked, or the server deleted): clients
   * get GUILD_DELETE without `unavailable`, which discord.js reports as
   * guildDelete. The guild's state stays, so later REST calls still resolve.
   */
  removeBotFromGuild(guildId: string): void {
    this.guildState(guildId);
    this.dispatchToGuild(guildId, 'GUILD_DELETE', { id: guildId });
  }

  /** Replace a channel's permission overwrites (CHANNEL_UPDATE is dispatched). */
  setChannelOverwrites(id: string, overwrites: OverwriteSpec[]): void {
    const channel = this.findChannel(id);
    if (!channel) throw new Error(`unknown channel ${id}`);
    channel.overwrites = overwrites.map(toOverwrite);
    this.dispatchToGuild(channel.guildId, 'CHANNEL_UPDATE', this.apiChannel(channel, true));
  }

  // -------------------------------------------------------------------------
  // Gateway controls
  // -------------------------------------------------------------------------

  /**
   * Send op 7 RECONNECT to the live session(s) (all shards, or one) and
   * resolve once each has resumed. Rejects if a shard re-identifies instead,
   * or after `timeoutMs`.
   */
  requestReconnect(shardId?: number, timeoutMs = DEFAULT_WAIT_MS): Promise<ResumeRecord[]> {
    return this.expectResumes(shardId, timeoutMs, (connection) =>
      this.send(connection, { op: GatewayOpcodes.Reconnect, d: null, s: null, t: null }),
    );
  }

  /**
   * Close the gateway socket(s) abruptly with `code` (default 4000 Unknown
   * error, which clients answer by resuming) and resolve once resumed.
   */
  dropConnection(shardId?: number, code = 4000, timeoutMs = DEFAULT_WAIT_MS): Promise<ResumeRecord[]> {
    return this.expectResumes(shardId, timeoutMs, (connection) =>
      this.closeConnection(connection, code, 'Stand-in dropped the connection'),
    );
  }

  // -------------------------------------------------------------------------
  // Interactions
  // -------------------------------------------------------------------------

  /** Dispatch a slash command (INTERACTION_CREATE type 2). */
  async sendCommand(spec: CommandSpec): Promise<InteractionHandle> {
    const ctx = this.invoker(spec);
    const commandType = spec.commandType ?? 1;
    const registered = this.findCommand(ctx.guild.id, spec.name, commandType);
    const data: Json = {
      id: registered?.id ?? this.commandIdFor('dispatch', commandType, spec.name),
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
    const registered = this.findCommand(ctx.guild.id, spec.name, 1);
    const data: Json = {
      id: registered?.id ?? this.commandIdFor('dispatch', 1, spec.name),
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
      message = this.messages.get(spec.message);
      if (!message) throw new Error(`sendButton: unknown message ${spec.message}`);
    } else {
      // A message the stand-in did not create: adopt it so type 7 / @original can edit it.
      message = structuredClone(spec.message);
      this.messages.set(message.id, message);
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

  // -------------------------------------------------------------------------
  // Guild model
  // -------------------------------------------------------------------------

  private addGuild(spec: GuildSpec): void {
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
    members.set(this.botUser.id, { user: this.botUser, roles: spec.botRoles ?? [], nick: null, joinedAt });
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
      roles,
      channels,
      members,
      get rolePermissions() {
        return new Map([...roles.values()].map((r) => [r.id, r.permissions]));
      },
    };
    this.guildStates.set(id, guild);
  }

  private guildState(id: string): GuildState {
    const guild = this.guildStates.get(id);
    if (!guild) throw new Error(`unknown guild ${id}`);
    return guild;
  }

  private defaultChannelOf(guild: GuildState): ChannelState {
    const channel = [...guild.channels.values()].find((c) => c.type === ChannelType.GuildText);
    if (!channel) throw new Error(`guild ${guild.id} has no text channel`);
    return channel;
  }

  private findChannel(id: string): ChannelState | undefined {
    for (const guild of this.guildStates.values()) {
      const channel = guild.channels.get(id);
      if (channel) return channel;
    }
    return undefined;
  }

  /** Permissions of `userId` in `channel` (threads use their parent's overwrites, like Discord). */
  private permissionsIn(channel: ChannelState, userId: string, roleOverride?: string[]): bigint {
    const guild = this.guildState(channel.guildId);
    const source = isThread(channel.type) && channel.parentId ? (guild.channels.get(channel.parentId) ?? channel) : channel;
    const roles = roleOverride ?? guild.members.get(userId)?.roles ?? [];
    return channelPermissions(guild, source.overwrites, userId, roles);
  }

  private apiRole(role: RoleState): Json {
    return {
      id: role.id,
      name: role.name,
      description: null,
      color: role.color,
      colors: { primary_color: role.color, secondary_color: null, tertiary_color: null },
      hoist: false,
      icon: null,
      unicode_emoji: null,
      position: role.position,
      permissions: role.permissions.toString(),
      managed: false,
      mentionable: role.mentionable,
      flags: 0,
    };
  }

  /** A channel object; GUILD_CREATE omits guild_id on its channels, REST and events include it. */
  private apiChannel(channel: ChannelState, withGuildId: boolean): Json {
    const out: Json = {
      id: channel.id,
      type: channel.type,
      name: channel.name,
      position: channel.position,
      parent_id: channel.parentId,
      flags: 0,
    };
    if (withGuildId) out.guild_id = channel.guildId;
    if (isThread(channel.type) && channel.thread) {
      Object.assign(out, {
        owner_id: channel.thread.ownerId,
        last_message_id: channel.lastMessageId,
        rate_limit_per_user: 0,
        message_count: 0,
        member_count: 1,
        total_message_sent: 0,
        thread_metadata: {
          archived: false,
          auto_archive_duration: channel.thread.autoArchiveDuration,
          archive_timestamp: channel.thread.createdAt,
          locked: false,
          create_timestamp: channel.thread.createdAt,
        },
      });
      delete out.position;
      return out;
    }
    Object.assign(out, {
      permission_overwrites: channel.overwrites.map((o) => ({
        id: o.id,
        type: o.type,
        allow: o.allow.toString(),
        deny: o.deny.toString(),
      })),
      nsfw: channel.nsfw,
    });
    if (channel.type === ChannelType.GuildText || channel.type === ChannelType.GuildAnnouncement) {
      Object.assign(out, {
        topic: channel.topic,
        last_message_id: channel.lastMessageId,
        rate_limit_per_user: 0,
        default_auto_archive_duration: 1440,
        default_thread_rate_limit_per_user: 0,
        last_pin_timestamp: null,
      });
    }
    return out;
  }

  private apiMember(member: MemberState, withUser = true): Json {
    const out: Json = {
      roles: member.roles,
      nick: member.nick,
      avatar: null,
      banner: null,
      joined_at: member.joinedAt,
      premium_since: null,
      deaf: false,
      mute: false,
      flags: 0,
      pending: false,
      communication_disabled_until: null,
    };
    if (withUser) out.user = member.user;
    return out;
  }

  private guildCreatePayload(guild: GuildState): Json {
    const channels = [...guild.channels.values()];
    return {
      id: guild.id,
      name: guild.name,
      icon: null,
      splash: null,
      discovery_splash: null,
      banner: null,
      description: null,
      owner_id: guild.ownerId,
      afk_channel_id: null,
      afk_timeout: 300,
      verification_level: 0,
      default_message_notifications: 0,
      explicit_content_filter: 0,
      mfa_level: 0,
      nsfw_level: 0,
      premium_tier: 0,
      premium_subscription_count: 0,
      premium_progress_bar_enabled: false,
      preferred_locale: guild.preferredLocale,
      system_channel_id: null,
      system_channel_flags: 0,
      rules_channel_id: null,
      public_updates_channel_id: null,
      safety_alerts_channel_id: null,
      vanity_url_code: null,
      application_id: null,
      max_members: 500000,
      max_video_channel_users: 25,
      max_stage_video_channel_users: 50,
      features: [],
      roles: [...guild.roles.values()].map((r) => this.apiRole(r)),
      emojis: [],
      stickers: [],
      soundboard_sounds: [],
      joined_at: guild.joinedAt,
      large: false,
      unavailable: false,
      lazy: true,
      member_count: guild.members.size,
      // Only the bot and configured members: Discord sends at least the bot's
      // own member, which discord.js needs for guild.members.me.
      members: [...guild.members.values()].map((m) => this.apiMember(m)),
      channels: channels.filter((c) => !isThread(c.type)).map((c) => this.apiChannel(c, false)),
      threads: channels.filter((c) => isThread(c.type)).map((c) => this.apiChannel(c, true)),
      presences: [],
      voice_states: [],
      stage_instances: [],
      guild_scheduled_events: [],
      embedded_activities: [],
      incidents_data: null,
    };
  }

  // -------------------------------------------------------------------------
  // HTTP
  // -------------------------------------------------------------------------

  private elapsed(since = this.startedAt): number {
    return Math.round((performance.now() - since) * 10) / 10;
  }

  private async onHttpRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const at = this.elapsed();
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const method = (req.method ?? 'GET').toUpperCase();
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const authHeader = req.headers.authorization;
    const authOk = authHeader === `Bot ${this.token}` && !this.refuseRest;

    let parsed: { body: unknown; files: UploadedFile[] } | null;
    try {
      parsed = await parseBody(raw, req.headers['content-type']);
    } catch {
      parsed = null;
    }
    const prefix = '/api/v10';
    const fullPath = url.pathname;
    const path = fullPath.startsWith(`${prefix}/`) ? fullPath.slice(prefix.length) : fullPath;
    const segments = path.split('/').slice(1).map(safeDecode);
    const record: RecordedRequest = {
      method,
      path: `/${segments.join('/')}`,
      query: url.search,
      route: null,
      hadAuth: authHeader !== undefined,
      authOk,
      body: parsed?.body,
      files: parsed?.files.map((f) => f.name) ?? [],
      status: 0,
      response: undefined,
      at,
    };
    this.requests.push(record);

    let reply: Reply;
    const versioned = fullPath.startsWith(`${prefix}/`);
    const matches = versioned ? this.routes.filter((r) => matchSegments(r.segments, segments)) : [];
    const route = matches.find((r) => r.method === method);
    if (route) record.route = route.template;

    const injected = route ? this.takeFailure(method, route.template, record.path) : this.takeFailure(method, null, record.path);
    if (injected) {
      record.injected = true;
      reply = injected;
    } else if (!versioned || matches.length === 0) {
      reply = ERRORS.notFound;
    } else if (!route) {
      record.route = matches[0]?.template ?? null;
      reply = ERRORS.methodNotAllowed;
    } else if (route.auth && !authOk) {
      reply = ERRORS.unauthorized;
    } else if (parsed === null) {
      reply = ERRORS.invalidJson;
    } else {
      const params: Record<string, string> = {};
      route.segments.forEach((s, i) => {
        if (s.startsWith(':')) params[s.slice(1)] = segments[i] ?? '';
      });
      try {
        reply = await route.handle({ params, body: parsed.body, files: parsed.files, query: url.searchParams, hadAuth: record.hadAuth });
      } catch (err) {
        // A bug in the stand-in, not in the bot: make it loud in the record.
        reply = { status: 500, body: { message: '500: Internal Server Error', code: 0, standInError: String(err) } };
      }
    }

    record.status = reply.status;
    record.response = reply.body;
    this.emit('request', record);
    this.writeReply(res, reply, route);
  }

  private writeReply(res: ServerResponse, reply: Reply, route: Route | undefined): void {
    const headers: Record<string, string> = {};
    if (route) {
      // Plausible per-route bucket headers: discord.js reads them to schedule
      // requests; "remaining" never reaches 0 so nothing is ever delayed.
      headers['x-ratelimit-limit'] = '50';
      headers['x-ratelimit-remaining'] = '49';
      headers['x-ratelimit-reset'] = ((Date.now() + 1000) / 1000).toFixed(3);
      headers['x-ratelimit-reset-after'] = '1.000';
      headers['x-ratelimit-bucket'] = createHash('sha1').update(`${route.method} ${route.template}`).digest('hex').slice(0, 32);
    }
    Object.assign(headers, reply.headers);
    if (reply.body === undefined) {
      res.writeHead(reply.status, headers);
      res.end();
      return;
    }
    const text = JSON.stringify(reply.body);
    headers['content-type'] = 'application/json';
    headers['content-length'] = String(Buffer.byteLength(text));
    res.writeHead(reply.status, headers);
    res.end(text);
  }

  private takeFailure(method: string, template: string | null, path: string): Reply | undefined {
    const index = this.failures.findIndex((f) =>
      typeof f.matcher === 'string' ? template !== null && f.matcher === `${method} ${template}` : f.matcher.test(`${method} ${path}`),
    );
    if (index === -1) return undefined;
    const [failure] = this.failures.splice(index, 1);
    return failure?.reply;
  }

  private buildRoutes(): Route[] {
    const route = (method: string, template: string, auth: boolean, handle: Route['handle']): Route => ({
      method,
      template,
      segments: template.split('/').slice(1),
      auth,
      handle,
    });
    return [
      route('GET', '/gateway', false, () => ({ status: 200, body: { url: this.gatewayUrl } })),
      route('GET', '/gateway/bot', true, () => ({
        status: 200,
        body: {
          url: this.gatewayUrl,
          shards: this.options.recommendedShards,
          session_start_limit: {
            total: 1000,
            remaining: 999,
            reset_after: 14_400_000,
            max_concurrency: this.options.maxConcurrency,
          },
        },
      })),
      route('GET', '/users/@me', true, () => ({ status: 200, body: this.botUser })),
      route('GET', '/applications/@me', true, () => ({ status: 200, body: this.apiApplication() })),
      route('GET', '/applications/:appId/commands', true, (c) => this.getCommands(c, undefined)),
      route('PUT', '/applications/:appId/commands', true, (c) => this.putCommands(c, undefined)),
      route('POST', '/applications/:appId/commands', true, (c) => this.postCommand(c, undefined)),
      route('GET', '/applications/:appId/guilds/:guildId/commands', true, (c) => this.getCommands(c, c.params.guildId)),
      route('PUT', '/applications/:appId/guilds/:guildId/commands', true, (c) => this.putCommands(c, c.params.guildId)),
      route('POST', '/applications/:appId/guilds/:guildId/commands', true, (c) => this.postCommand(c, c.params.guildId)),
      route('POST', '/interactions/:interactionId/:token/callback', false, (c) => this.onCallback(c)),
      route('POST', '/webhooks/:appId/:token', false, (c) => this.onWebhook('POST', c)),
      route('GET', '/webhooks/:appId/:token/messages/:messageId', false, (c) => this.onWebhook('GET', c)),
      route('PATCH', '/webhooks/:appId/:token/messages/:messageId', false, (c) => this.onWebhook('PATCH', c)),
      route('DELETE', '/webhooks/:appId/:token/messages/:messageId', false, (c) => this.onWebhook('DELETE', c)),
      route('GET', '/channels/:channelId', true, (c) => this.getChannel(c)),
      route('POST', '/channels/:channelId/messages', true, (c) => this.postChannelMessage(c)),
      route('GET', '/channels/:channelId/messages/:messageId', true, (c) => this.getChannelMessage(c)),
      route('POST', '/channels/:channelId/messages/:messageId/threads', true, (c) => this.startThread(c)),
    ];
  }

  private apiApplication(): Json {
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
  private applicationFlags(): number {
    const p = this.options.privilegedIntents;
    let flags = 0;
    if (p & GatewayIntentBits.GuildPresences) flags |= 1 << 13;
    if (p & GatewayIntentBits.GuildMembers) flags |= 1 << 15;
    if (p & GatewayIntentBits.MessageContent) flags |= 1 << 19;
    return flags;
  }

  // -------------------------------------------------------------------------
  // Commands
  // -------------------------------------------------------------------------

  private commandScopeCheck(ctx: RouteContext, guildId: string | undefined): Reply | null {
    if (ctx.params.appId !== this.applicationId) return ERRORS.missingAccess;
    if (guildId !== undefined && !this.guildStates.has(guildId)) return ERRORS.missingAccess;
    return null;
  }

  private commandIdFor(scope: string, type: number, name: string): string {
    const key = `${scope}:${type}:${name}`;
    let id = this.commandIds.get(key);
    if (!id) {
      id = snowflake();
      this.commandIds.set(key, id);
    }
    return id;
  }

  private apiCommand(command: StoredCommand, guildId: string | undefined): Json {
    const body = command.body;
    const out: Json = {
      id: command.id,
      application_id: this.applicationId,
      version: command.version,
      default_member_permissions: body.default_member_permissions ?? null,
      type: body.type ?? 1,
      name: body.name,
      name_localizations: body.name_localizations ?? null,
      description: body.description ?? '',
      description_localizations: body.description_localizations ?? null,
      nsfw: body.nsfw ?? false,
      integration_types: body.integration_types ?? [0],
      contexts: body.contexts ?? null,
    };
    if (body.options !== undefined) out.options = body.options;
    if (guildId) out.guild_id = guildId;
    else out.dm_permission = body.dm_permission ?? true;
    return out;
  }

  /** Store `bodies` as the scope's commands, keeping ids (by type+name) and versions (when unchanged). */
  private storeCommands(scope: string, bodies: Json[], replaceAll: boolean): StoredCommand[] {
    const previous = this.commandStore.get(scope) ?? [];
    const stored = bodies.map((body) => {
      const type = typeof body.type === 'number' ? body.type : 1;
      const id = this.commandIdFor(scope, type, String(body.name));
      const before = previous.find((c) => c.id === id);
      const unchanged = before && JSON.stringify(before.body) === JSON.stringify(body);
      return { id, version: unchanged ? before.version : snowflake(), body: structuredClone(body) };
    });
    const next = replaceAll ? stored : [...previous.filter((p) => !stored.some((s) => s.id === p.id)), ...stored];
    this.commandStore.set(scope, next);
    return stored;
  }

  private getCommands(ctx: RouteContext, guildId: string | undefined): Reply {
    return this.commandScopeCheck(ctx, guildId) ?? { status: 200, body: this.commands(guildId) };
  }

  private putCommands(ctx: RouteContext, guildId: string | undefined): Reply {
    const denied = this.commandScopeCheck(ctx, guildId);
    if (denied) return denied;
    const errors = validateCommandList(ctx.body);
    if (!errors.empty) return invalidFormBody(errors.tree);
    this.storeCommands(guildId ?? 'global', ctx.body as Json[], true);
    return { status: 200, body: this.commands(guildId) };
  }

  private postCommand(ctx: RouteContext, guildId: string | undefined): Reply {
    const denied = this.commandScopeCheck(ctx, guildId);
    if (denied) return denied;
    const errors = validateCommandList([ctx.body]);
    if (!errors.empty) return invalidFormBody((errors.tree['0'] as FormErrorTree | undefined) ?? errors.tree);
    const [stored] = this.storeCommands(guildId ?? 'global', [ctx.body as Json], false);
    if (!stored) return ERRORS.internal;
    return { status: 201, body: this.apiCommand(stored, guildId) };
  }

  private findCommand(guildId: string, name: string, type: number): { id: string; guildId?: string } | undefined {
    const match = (c: StoredCommand): boolean => c.body.name === name && (c.body.type ?? 1) === type;
    const guildCommand = this.commandStore.get(guildId)?.find(match);
    if (guildCommand) return { id: guildCommand.id, guildId };
    const global = this.commandStore.get('global')?.find(match);
    return global ? { id: global.id } : undefined;
  }

  // -------------------------------------------------------------------------
  // Messages (shared by callbacks, webhooks and channel posts)
  // -------------------------------------------------------------------------

  private createMessage(args: {
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
      guild_id: channel.guildId,
      author: this.botUser,
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
    };
    if (interaction) {
      message.webhook_id = this.applicationId;
      message.application_id = this.applicationId;
      const metadata: Json = {
        id: interaction.id,
        type: interaction.type,
        user: interaction.user,
        authorizing_integration_owners: { '0': interaction.guildId },
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
    this.messages.set(id, stored);
    if (args.ephemeral) {
      this.ephemeralIds.add(id);
    } else {
      const history = this.channelHistory.get(channel.id) ?? [];
      history.push(id);
      this.channelHistory.set(channel.id, history);
      channel.lastMessageId = id;
      this.dispatchMessageEvent(channel.guildId, 'MESSAGE_CREATE', stored);
    }
    return stored;
  }

  /** Apply an edit body to a stored message (PATCH semantics: absent fields are kept). */
  private editMessage(message: APIMessage, body: Json, files: UploadedFile[]): void {
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
    if (!this.ephemeralIds.has(message.id)) {
      const channel = this.findChannel(message.channel_id);
      if (channel) this.dispatchMessageEvent(channel.guildId, 'MESSAGE_UPDATE', message);
    }
  }

  private deleteMessage(message: APIMessage): void {
    this.messages.delete(message.id);
    this.ephemeralIds.delete(message.id);
    const history = this.channelHistory.get(message.channel_id);
    if (history) this.channelHistory.set(message.channel_id, history.filter((id) => id !== message.id));
  }

  private apiAttachment(file: UploadedFile, channelId: string): Json {
    const id = snowflake();
    const url = `https://cdn.discordapp.com/attachments/${channelId}/${id}/${encodeURIComponent(file.name)}`;
    return { id, filename: file.name, size: file.size, url, proxy_url: url, content_type: file.contentType };
  }

  /** Validate a create/edit body: form limits (50035), then emptiness (50006). */
  private checkMessageBody(body: Json, files: UploadedFile[], nestUnder?: string, resulting?: Json): Reply | null {
    const errors: FormErrors = validateMessageBody(body);
    if (!errors.empty) return invalidFormBody(nestUnder ? errors.nestedUnder(nestUnder) : errors.tree);
    if (isEmptyMessage(resulting ?? body, files.length)) return ERRORS.emptyMessage;
    return null;
  }

  // -------------------------------------------------------------------------
  // Interaction callback and webhooks
  // -------------------------------------------------------------------------

  private onCallback(ctx: RouteContext): Reply {
    const { interactionId = '', token = '' } = ctx.params;
    const state = this.interactions.get(interactionId);
    const body = isObject(ctx.body) ? ctx.body : {};
    const type = typeof body.type === 'number' ? body.type : undefined;
    const data = isObject(body.data) ? body.data : undefined;
    const withResponse = ctx.query.get('with_response') === 'true';
    const record: CallbackRecord = {
      interactionId,
      type,
      data,
      withResponse,
      status: 0,
      at: state ? this.elapsed(state.dispatchedAt) : this.elapsed(),
    };
    this.callbacks.push(record);
    const reply = this.handleCallback(state, token, type, data, ctx.files, withResponse);
    record.status = reply.status;
    if (reply.status >= 400) record.error = reply.body;
    if (state) this.notify(state);
    return reply;
  }

  private handleCallback(
    state: InteractionState | undefined,
    token: string,
    type: number | undefined,
    data: Json | undefined,
    files: UploadedFile[],
    withResponse: boolean,
  ): Reply {
    if (!state || state.token !== token) return ERRORS.unknownInteraction;
    // Discord forgets an interaction that was not acknowledged in time.
    if (!state.callback && performance.now() - state.dispatchedAt > state.deadlineMs) return ERRORS.unknownInteraction;
    if (state.callback) return ERRORS.alreadyAcknowledged;

    const allowed =
      state.type === InteractionType.ApplicationCommandAutocomplete
        ? [InteractionResponseType.ApplicationCommandAutocompleteResult]
        : state.type === InteractionType.MessageComponent
          ? [4, 5, 6, 7, 9]
          : [4, 5, 9];
    if (type === undefined || !allowed.includes(type)) {
      // Approximation: Discord refuses callback types the interaction does not support with a form error on `type`.
      const message = `Value must be one of {${allowed.join(', ')}}.`;
      return invalidFormBody({ type: { _errors: [{ code: 'BASE_TYPE_CHOICES', message }] } });
    }
    const channel = this.findChannel(state.channelId);
    if (!channel) return ERRORS.unknownChannel;
    const at = this.elapsed(state.dispatchedAt);
    const ephemeralRequested = typeof data?.flags === 'number' && (data.flags & MessageFlags.Ephemeral) !== 0;
    let message: APIMessage | null = null;

    switch (type) {
      case InteractionResponseType.ChannelMessageWithSource: {
        const invalid = this.checkMessageBody(data ?? {}, files, 'data');
        if (invalid) return invalid;
        message = this.createMessage({ channel, body: data ?? {}, files, ephemeral: ephemeralRequested, interaction: state });
        state.originalId = message.id;
        this.makeVisible(state, { callbackType: type, message, ephemeral: ephemeralRequested, via: 'callback', at });
        break;
      }
      case InteractionResponseType.DeferredChannelMessageWithSource: {
        message = this.createMessage({ channel, body: {}, files: [], ephemeral: ephemeralRequested, loading: true, interaction: state });
        state.originalId = message.id;
        break;
      }
      case InteractionResponseType.DeferredMessageUpdate: {
        state.originalId = state.componentMessageId;
        break;
      }
      case InteractionResponseType.UpdateMessage: {
        const target = state.componentMessageId ? this.messages.get(state.componentMessageId) : undefined;
        if (!target) return ERRORS.unknownMessage;
        const resulting = { ...(target as unknown as Json), ...(data ?? {}) };
        const invalid = this.checkMessageBody(data ?? {}, files, 'data', resulting);
        if (invalid) return invalid;
        this.editMessage(target, data ?? {}, files);
        state.originalId = target.id;
        message = target;
        this.makeVisible(state, {
          callbackType: type,
          message: target,
          ephemeral: ((target.flags ?? 0) & MessageFlags.Ephemeral) !== 0,
          via: 'callback',
          at,
        });
        break;
      }
      case InteractionResponseType.ApplicationCommandAutocompleteResult: {
        const errors = validateAutocompleteChoices(data ?? {});
        if (!errors.empty) return invalidFormBody(errors.nestedUnder('data'));
        const choices = (data?.choices ?? []) as { name: string; value: string | number }[];
        this.makeVisible(state, { callbackType: type, choices, via: 'callback', at });
        break;
      }
      case InteractionResponseType.Modal: {
        this.makeVisible(state, { callbackType: type, modal: data ?? null, via: 'callback', at });
        break;
      }
    }
    state.callback = { type, at };

    if (!withResponse) return { status: 204 };
    // The `?with_response=true` shape (InteractionCallbackResponse).
    const interaction: Json = { id: state.id, type: state.type };
    const original = state.originalId ? this.messages.get(state.originalId) : undefined;
    if (original) {
      interaction.response_message_id = original.id;
      interaction.response_message_loading = ((original.flags ?? 0) & MessageFlags.Loading) !== 0;
      interaction.response_message_ephemeral = ((original.flags ?? 0) & MessageFlags.Ephemeral) !== 0;
    }
    const resource: Json = { type };
    if (message) resource.message = message;
    return { status: 200, body: { interaction, resource } };
  }

  private onWebhook(method: string, ctx: RouteContext): Reply {
    const { appId = '', token = '', messageId } = ctx.params;
    const state = this.interactionsByToken.get(token);
    const record: WebhookCallRecord = {
      method,
      interactionId: state?.id ?? null,
      messageId: messageId ?? null,
      body: ctx.body,
      query: ctx.query.toString(),
      hadAuth: ctx.hadAuth,
      status: 0,
      at: state ? this.elapsed(state.dispatchedAt) : this.elapsed(),
    };
    this.webhookCalls.push(record);
    const reply = this.handleWebhook(method, appId, state, messageId, ctx);
    record.status = reply.status;
    if (reply.status >= 400) record.error = reply.body;
    if (state) this.notify(state);
    return reply;
  }

  private handleWebhook(
    method: string,
    appId: string,
    state: InteractionState | undefined,
    messageId: string | undefined,
    ctx: RouteContext,
  ): Reply {
    if (appId !== this.applicationId) return ERRORS.unknownWebhook;
    if (!state) return ERRORS.invalidWebhookToken;
    if (performance.now() - state.dispatchedAt > this.options.interactionTokenLifetimeMs) return ERRORS.invalidWebhookToken;
    // Nothing exists behind the token until the interaction is acknowledged.
    if (!state.callback) return ERRORS.unknownWebhook;
    const channel = this.findChannel(state.channelId);
    if (!channel) return ERRORS.unknownChannel;
    const body = isObject(ctx.body) ? ctx.body : {};
    const at = this.elapsed(state.dispatchedAt);

    if (method === 'POST') {
      const invalid = this.checkMessageBody(body, ctx.files);
      if (invalid) return invalid;
      const original = state.originalId ? this.messages.get(state.originalId) : undefined;
      let message: APIMessage;
      const stillThinking =
        original !== undefined &&
        ((original.flags ?? 0) & MessageFlags.Loading) !== 0 &&
        state.callback.type === InteractionResponseType.DeferredChannelMessageWithSource;
      if (original && stillThinking) {
        // Discord: the first follow-up after a deferred reply fills the
        // "thinking…" message (keeping the defer's ephemerality) instead of
        // posting a new one.
        this.editMessage(original, { ...body, flags: undefined }, ctx.files);
        message = original;
      } else {
        const ephemeral = typeof body.flags === 'number' && (body.flags & MessageFlags.Ephemeral) !== 0;
        message = this.createMessage({ channel, body, files: ctx.files, ephemeral, interaction: state, followUpOf: state.originalId });
        state.followUpIds.push(message.id);
      }
      this.makeVisible(state, {
        callbackType: state.callback.type,
        message,
        ephemeral: ((message.flags ?? 0) & MessageFlags.Ephemeral) !== 0,
        via: 'follow-up',
        at,
      });
      return ctx.query.get('wait') === 'true' ? { status: 200, body: message } : { status: 204 };
    }

    const targetId = messageId === '@original' ? state.originalId : (messageId ?? null);
    const owned = targetId !== null && (targetId === state.originalId || state.followUpIds.includes(targetId));
    const target = owned && targetId ? this.messages.get(targetId) : undefined;
    if (!target) return ERRORS.unknownMessage;

    if (method === 'GET') return { status: 200, body: target };
    if (method === 'DELETE') {
      this.deleteMessage(target);
      return { status: 204 };
    }
    // PATCH
    const resulting = { ...(target as unknown as Json), ...body };
    const invalid = this.checkMessageBody(body, ctx.files, undefined, resulting);
    if (invalid) return invalid;
    this.editMessage(target, body, ctx.files);
    if (target.id === state.originalId) {
      this.makeVisible(state, {
        callbackType: state.callback.type,
        message: target,
        ephemeral: ((target.flags ?? 0) & MessageFlags.Ephemeral) !== 0,
        via: 'edit',
        at,
      });
    }
    return { status: 200, body: target };
  }

  /** Record the first thing the user sees; later changes are read through the handle. */
  private makeVisible(
    state: InteractionState,
    visible: Partial<InteractionResponse> & Pick<InteractionResponse, 'callbackType' | 'via' | 'at'>,
  ): void {
    if (state.visible) return;
    state.visible = {
      callbackType: visible.callbackType,
      via: visible.via,
      at: visible.at,
      // A snapshot: later edits are visible through handle.original / followUps.
      message: visible.message ? structuredClone(visible.message) : null,
      ephemeral: visible.ephemeral ?? false,
      choices: visible.choices ?? null,
      modal: visible.modal ?? null,
    };
  }

  private notify(state: InteractionState): void {
    for (const listener of [...state.listeners]) listener.check();
  }

  // -------------------------------------------------------------------------
  // Channels
  // -------------------------------------------------------------------------

  /** Channel lookup + VIEW_CHANNEL check shared by the channel routes. */
  private visibleChannel(channelId: string | undefined): ChannelState | Reply {
    const channel = channelId ? this.findChannel(channelId) : undefined;
    if (!channel) return ERRORS.unknownChannel;
    if (!(this.permissionsIn(channel, this.botUser.id) & PermissionFlagsBits.ViewChannel)) return ERRORS.missingAccess;
    return channel;
  }

  private getChannel(ctx: RouteContext): Reply {
    const channel = this.visibleChannel(ctx.params.channelId);
    return 'status' in channel ? channel : { status: 200, body: this.apiChannel(channel, true) };
  }

  private getChannelMessage(ctx: RouteContext): Reply {
    const channel = this.visibleChannel(ctx.params.channelId);
    if ('status' in channel) return channel;
    if (!(this.permissionsIn(channel, this.botUser.id) & PermissionFlagsBits.ReadMessageHistory)) return ERRORS.missingAccess;
    const message = ctx.params.messageId ? this.messages.get(ctx.params.messageId) : undefined;
    if (!message || message.channel_id !== channel.id || this.ephemeralIds.has(message.id)) return ERRORS.unknownMessage;
    return { status: 200, body: message };
  }

  private postChannelMessage(ctx: RouteContext): Reply {
    const channel = this.visibleChannel(ctx.params.channelId);
    if ('status' in channel) return channel;
    const body = isObject(ctx.body) ? ctx.body : {};
    const permissions = this.permissionsIn(channel, this.botUser.id);
    const sendBit = isThread(channel.type) ? PermissionFlagsBits.SendMessagesInThreads : PermissionFlagsBits.SendMessages;
    if (!(permissions & sendBit)) return this.missingPermissions(permissions, sendBit);
    const invalid = this.checkMessageBody(body, ctx.files);
    if (invalid) return invalid;
    let effective = body;
    const hasEmbeds = Array.isArray(body.embeds) && body.embeds.length > 0;
    if (hasEmbeds && !(permissions & PermissionFlagsBits.EmbedLinks)) {
      // Without EMBED_LINKS Discord drops the embeds; if that leaves nothing it refuses the post.
      effective = { ...body, embeds: [] };
      if (isEmptyMessage(effective, ctx.files.length)) return this.missingPermissions(permissions, PermissionFlagsBits.EmbedLinks);
    }
    const message = this.createMessage({ channel, body: effective, files: ctx.files, ephemeral: false });
    return { status: 200, body: message };
  }

  private missingPermissions(granted: bigint, required: bigint): Reply {
    // `missing` is not part of Discord's body; it is ignored by discord.js and
    // tells a failing test what the bot lacked.
    return { status: 403, body: { ...(ERRORS.missingPermissions.body as Json), missing: missingPermissionNames(granted, required) } };
  }

  private startThread(ctx: RouteContext): Reply {
    const channel = this.visibleChannel(ctx.params.channelId);
    if ('status' in channel) return channel;
    const message = ctx.params.messageId ? this.messages.get(ctx.params.messageId) : undefined;
    if (!message || message.channel_id !== channel.id || this.ephemeralIds.has(message.id)) return ERRORS.unknownMessage;
    const permissions = this.permissionsIn(channel, this.botUser.id);
    if (!(permissions & PermissionFlagsBits.CreatePublicThreads)) {
      return this.missingPermissions(permissions, PermissionFlagsBits.CreatePublicThreads);
    }
    const body = isObject(ctx.body) ? ctx.body : {};
    if (typeof body.name !== 'string' || body.name.length < 1 || body.name.length > 100) {
      return invalidFormBody({ name: { _errors: [{ code: 'BASE_TYPE_BAD_LENGTH', message: 'Must be between 1 and 100 in length.' }] } });
    }
    if (this.findChannel(message.id)) return ERRORS.threadAlreadyCreated;
    const guild = this.guildState(channel.guildId);
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
        ownerId: this.botUser.id,
        createdAt,
        autoArchiveDuration: typeof body.auto_archive_duration === 'number' ? body.auto_archive_duration : 1440,
      },
    };
    guild.channels.set(thread.id, thread);
    const apiThread = this.apiChannel(thread, true);
    (message as unknown as Json).thread = apiThread;
    this.dispatchToGuild(guild.id, 'THREAD_CREATE', { ...apiThread, newly_created: true });
    return { status: 201, body: apiThread };
  }

  // -------------------------------------------------------------------------
  // Gateway
  // -------------------------------------------------------------------------

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const connection: GatewayConnection = { socket: ws, path: url.pathname, session: null, closed: false, heartbeatWaiters: [] };
      this.connections.add(connection);
      ws.on('message', (data: RawData) => this.onGatewayMessage(connection, data));
      ws.on('close', (code: number) => this.onGatewayClose(connection, code));
      ws.on('error', () => {
        /* a reset socket also emits 'close', handled there */
      });
      // Only JSON text frames are spoken here; a client asking for
      // compression would still get plain text, which discord.js accepts.
      if (url.searchParams.get('v') !== '10') {
        this.closeConnection(connection, GatewayCloseCodes.InvalidAPIVersion, 'Invalid API version');
        return;
      }
      if ((url.searchParams.get('encoding') ?? 'json') !== 'json') {
        this.closeConnection(connection, GatewayCloseCodes.DecodeError, 'Only JSON encoding is supported');
        return;
      }
      this.send(connection, { op: GatewayOpcodes.Hello, d: { heartbeat_interval: this.options.heartbeatIntervalMs }, s: null, t: null });
    });
  }

  private send(connection: GatewayConnection, payload: GatewayPayload): void {
    if (!connection.closed) connection.socket.send(JSON.stringify(payload));
  }

  private closeConnection(connection: GatewayConnection, code: number, reason: string): void {
    if (connection.closed) return;
    connection.closed = true;
    this.detach(connection);
    const record: GatewayCloseRecord = { shardId: connection.session?.shardId ?? null, code, by: 'stand-in', at: this.elapsed() };
    this.gatewayCloses.push(record);
    this.emit('gatewayClose', record);
    connection.socket.close(code, reason);
  }

  private onGatewayClose(connection: GatewayConnection, code: number): void {
    this.connections.delete(connection);
    for (const waiter of connection.heartbeatWaiters.splice(0)) waiter();
    if (connection.closed) return;
    connection.closed = true;
    const session = connection.session;
    // A normal close ends the session for good; anything else (4200 from
    // discord.js' op 7 handling, 1006, ...) leaves it resumable.
    if (session && (code === 1000 || code === 1001)) session.invalidated = true;
    this.detach(connection);
    const record: GatewayCloseRecord = { shardId: session?.shardId ?? null, code, by: 'client', at: this.elapsed() };
    this.gatewayCloses.push(record);
    this.emit('gatewayClose', record);
  }

  private detach(connection: GatewayConnection): void {
    const session = connection.session;
    if (session && session.connection === connection) session.connection = null;
  }

  private onGatewayMessage(connection: GatewayConnection, data: RawData): void {
    let payload: unknown;
    try {
      payload = JSON.parse(rawToString(data));
    } catch {
      this.closeConnection(connection, GatewayCloseCodes.DecodeError, 'Error while decoding payload.');
      return;
    }
    if (!isObject(payload) || typeof payload.op !== 'number') {
      this.closeConnection(connection, GatewayCloseCodes.DecodeError, 'Error while decoding payload.');
      return;
    }
    const d = payload.d;
    switch (payload.op) {
      case GatewayOpcodes.Heartbeat:
        this.heartbeats += 1;
        this.send(connection, { op: GatewayOpcodes.HeartbeatAck, d: null, s: null, t: null });
        for (const waiter of connection.heartbeatWaiters.splice(0)) waiter();
        return;
      case GatewayOpcodes.Identify:
        this.onIdentify(connection, isObject(d) ? d : {});
        return;
      case GatewayOpcodes.Resume:
        this.onResume(connection, isObject(d) ? d : {});
        return;
      case GatewayOpcodes.PresenceUpdate:
      case GatewayOpcodes.VoiceStateUpdate:
      case GatewayOpcodes.RequestGuildMembers:
      case GatewayOpcodes.RequestSoundboardSounds:
        // Accepted and ignored once authenticated.
        if (!connection.session) this.closeConnection(connection, GatewayCloseCodes.NotAuthenticated, 'Not authenticated.');
        return;
      default:
        this.closeConnection(connection, GatewayCloseCodes.UnknownOpcode, 'Unknown opcode.');
    }
  }

  private onIdentify(connection: GatewayConnection, d: Json): void {
    const shardField = Array.isArray(d.shard) ? d.shard : [0, 1];
    const shard: [number, number] = [Number(shardField[0] ?? 0), Number(shardField[1] ?? 1)];
    const intents = typeof d.intents === 'number' ? d.intents : NaN;
    const tokenAccepted = d.token === this.token && !this.refuseGateway;
    const record: IdentifyRecord = { shard, intents, tokenAccepted, properties: d.properties, outcome: 'ready', at: this.elapsed() };
    this.identifies.push(record);
    const refuse = (code: number, reason: string): void => {
      record.outcome = code;
      this.emit('identify', record);
      this.closeConnection(connection, code, reason);
    };
    if (connection.session) return refuse(GatewayCloseCodes.AlreadyAuthenticated, 'Already authenticated.');
    if (!tokenAccepted) return refuse(GatewayCloseCodes.AuthenticationFailed, 'Authentication failed.');
    const [shardId, shardCount] = shard;
    if (!Number.isInteger(shardId) || !Number.isInteger(shardCount) || shardCount < 1 || shardId < 0 || shardId >= shardCount) {
      return refuse(GatewayCloseCodes.InvalidShard, 'Invalid shard.');
    }
    if (!Number.isInteger(intents) || intents < 0) return refuse(GatewayCloseCodes.InvalidIntents, 'Invalid intent(s).');
    if (intents & PRIVILEGED_INTENTS & ~this.options.privilegedIntents) {
      return refuse(GatewayCloseCodes.DisallowedIntents, 'Disallowed intent(s).');
    }

    const session: Session = {
      id: randomBytes(16).toString('hex'),
      shardId,
      shardCount,
      intents,
      seq: 0,
      backlog: [],
      connection,
      invalidated: false,
      guildsDelivered: false,
    };
    this.sessions.push(session);
    connection.session = session;
    const guilds = [...this.guildStates.values()].filter((g) => shardForGuild(g.id, shardCount) === shardId);
    this.dispatch(session, 'READY', {
      v: 10,
      user: { ...this.botUser, verified: true, mfa_enabled: false, email: null, flags: 0 },
      guilds: guilds.map((g) => ({ id: g.id, unavailable: true })),
      session_id: session.id,
      session_type: 'normal',
      resume_gateway_url: this.resumeGatewayUrl,
      shard,
      application: { id: this.applicationId, flags: this.applicationFlags() },
      user_settings: {},
      relationships: [],
      private_channels: [],
      presences: [],
      guild_join_requests: [],
      geo_ordered_rtc_regions: [],
      auth: {},
      _trace: ['["stand-in",{"micros":0}]'],
    });
    this.emit('identify', record);

    // @discordjs/ws handles each frame in its own promise chain, and a
    // GUILD_CREATE handled before READY would leave the guild marked
    // unavailable. With @discordjs/ws 1.2.3 the order happens to hold (the
    // GUILD_CREATE path awaits once more than READY's); rather than rely on
    // that, ask for a heartbeat (op 1, a normal Discord request) and send the
    // guilds once it arrives, which proves READY has been processed.
    this.afterClientCaughtUp(connection, () => {
      if (session.invalidated || session.connection !== connection) return;
      for (const guild of guilds) this.dispatch(session, 'GUILD_CREATE', this.guildCreatePayload(guild));
      session.guildsDelivered = true;
    });
  }

  /** Run `then` once the client answered a heartbeat request (or after 2 s, whichever is first). */
  private afterClientCaughtUp(connection: GatewayConnection, then: () => void): void {
    let done = false;
    const run = (): void => {
      if (done) return;
      done = true;
      clearTimeout(fallback);
      then();
    };
    const fallback = setTimeout(run, 2000);
    fallback.unref();
    connection.heartbeatWaiters.push(run);
    this.send(connection, { op: GatewayOpcodes.Heartbeat, d: null, s: null, t: null });
  }

  private onResume(connection: GatewayConnection, d: Json): void {
    if (connection.session) {
      this.closeConnection(connection, GatewayCloseCodes.AlreadyAuthenticated, 'Already authenticated.');
      return;
    }
    if (d.token !== this.token || this.refuseGateway) {
      this.closeConnection(connection, GatewayCloseCodes.AuthenticationFailed, 'Authentication failed.');
      return;
    }
    const session = this.sessions.find((s) => s.id === d.session_id);
    const seq = typeof d.seq === 'number' ? d.seq : -1;
    if (!session || session.invalidated) {
      // Invalid session, not resumable: the client must identify again.
      this.send(connection, { op: GatewayOpcodes.InvalidSession, d: false, s: null, t: null });
      return;
    }
    if (seq > session.seq) {
      this.closeConnection(connection, GatewayCloseCodes.InvalidSeq, 'Invalid seq.');
      return;
    }
    // Discord closes whatever connection still held the session.
    if (session.connection && session.connection !== connection) {
      this.closeConnection(session.connection, GatewayCloseCodes.SessionTimedOut, 'Session resumed elsewhere.');
    }
    session.connection = connection;
    connection.session = session;
    const missed = session.backlog.filter((p) => (p.s ?? 0) > seq);
    for (const payload of missed) this.send(connection, payload);
    this.dispatch(session, 'RESUMED', { _trace: ['["stand-in",{"micros":0}]'] });
    const record: ResumeRecord = {
      shardId: session.shardId,
      sessionId: session.id,
      seq,
      replayed: missed.length,
      path: connection.path,
      at: this.elapsed(),
    };
    this.resumes.push(record);
    this.emit('resume', record);
  }

  private dispatch(session: Session, t: string, d: unknown): void {
    session.seq += 1;
    const payload: GatewayPayload = { op: GatewayOpcodes.Dispatch, t, s: session.seq, d };
    session.backlog.push(payload);
    if (session.backlog.length > 1000) session.backlog.shift();
    // While disconnected the event waits in the backlog for a RESUME.
    if (session.connection) this.send(session.connection, payload);
  }

  /** Live (not invalidated) sessions whose shard covers `guildId`, newest last. */
  private sessionsFor(guildId: string): Session[] {
    return this.sessions.filter((s) => !s.invalidated && shardForGuild(guildId, s.shardCount) === s.shardId);
  }

  private dispatchToGuild(guildId: string, t: string, d: unknown): void {
    for (const session of this.sessionsFor(guildId)) this.dispatch(session, t, d);
  }

  private dispatchMessageEvent(guildId: string, t: string, message: APIMessage): void {
    for (const session of this.sessionsFor(guildId)) {
      if (session.intents & GatewayIntentBits.GuildMessages) this.dispatch(session, t, message);
    }
  }

  private expectResumes(shardId: number | undefined, timeoutMs: number, trigger: (c: GatewayConnection) => void): Promise<ResumeRecord[]> {
    const targets = this.sessions.filter((s) => !s.invalidated && s.connection && (shardId === undefined || s.shardId === shardId));
    if (targets.length === 0) return Promise.reject(new Error('no live gateway session to reconnect'));
    return new Promise<ResumeRecord[]>((resolve, reject) => {
      const pending = new Set(targets.map((s) => s.id));
      const results: ResumeRecord[] = [];
      const onResume = (r: ResumeRecord): void => {
        if (!pending.delete(r.sessionId)) return;
        results.push(r);
        if (pending.size === 0) finish();
      };
      const onIdentify = (r: IdentifyRecord): void => {
        if (targets.some((s) => s.shardId === r.shard[0] && pending.has(s.id))) {
          finish(new Error(`shard ${r.shard[0]} identified again instead of resuming`));
        }
      };
      const timer = setTimeout(() => finish(new Error(`no RESUME within ${timeoutMs} ms`)), timeoutMs);
      const finish = (err?: Error): void => {
        clearTimeout(timer);
        this.off('resume', onResume);
        this.off('identify', onIdentify);
        if (err) reject(err);
        else resolve(results);
      };
      this.on('resume', onResume);
      this.on('identify', onIdentify);
      for (const session of targets) if (session.connection) trigger(session.connection);
    });
  }

  // -------------------------------------------------------------------------
  // Building interactions
  // -------------------------------------------------------------------------

  private invoker(spec: InvokerSpec): InvokerContext {
    const guild = this.guildState(spec.guildId ?? this.guildId);
    const channel = spec.channelId ? guild.channels.get(spec.channelId) : this.defaultChannelOf(guild);
    if (!channel) throw new Error(`channel ${spec.channelId ?? '?'} is not in guild ${guild.id}`);
    const configured = spec.user?.id ? guild.members.get(spec.user.id) : undefined;
    const user = configured?.user ?? makeUser(spec.user, 'tester');
    const memberRoles = spec.memberRoles ?? configured?.roles ?? [];
    const memberPermissions =
      spec.memberPermissions !== undefined ? toPermissionBits(spec.memberPermissions) : this.permissionsIn(channel, user.id, memberRoles);
    return {
      guild,
      channel,
      user,
      memberRoles,
      memberPermissions,
      locale: spec.locale ?? this.options.locale,
      deadlineMs: spec.deadlineMs ?? this.options.interactionDeadlineMs,
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
        const inChannel = this.permissionsIn(ctx.channel, id);
        members[id] = { ...this.apiMember(member, false), permissions: inChannel.toString() };
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
            const apiChannel = this.apiChannel(channel, true);
            delete apiChannel.permission_overwrites;
            channels[id] = {
              ...apiChannel,
              permissions: this.permissionsIn(channel, ctx.user.id, ctx.memberRoles).toString(),
              app_permissions: this.permissionsIn(channel, this.botUser.id).toString(),
            };
            break;
          }
          case ApplicationCommandOptionType.Role: {
            const role = guild.roles.get(id);
            if (!role) throw new Error(`role option ${option.name}: role ${id} is not in guild ${guild.id}`);
            roles[id] = this.apiRole(role);
            break;
          }
          case ApplicationCommandOptionType.User:
            resolveUser(id);
            break;
          case ApplicationCommandOptionType.Mentionable: {
            const role = guild.roles.get(id);
            if (role) roles[id] = this.apiRole(role);
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
    const sessions = this.sessionsFor(guild.id).filter((s) => s.guildsDelivered);
    const session = sessions[sessions.length - 1];
    if (!session) throw new Error(`no gateway session has received guild ${guild.id}: is a client logged in and ready?`);
    const appPermissions = this.permissionsIn(channel, this.botUser.id).toString();
    const partialChannel = { ...this.apiChannel(channel, true), permissions: ctx.memberPermissions.toString() };
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
      application_id: this.applicationId,
      type,
      token: state.token,
      version: 1,
      data,
      guild: { id: guild.id, locale: guild.preferredLocale, features: [] },
      guild_id: guild.id,
      channel_id: channel.id,
      channel: partialChannel,
      member: { ...this.apiMember({ ...member, roles: ctx.memberRoles }), permissions: ctx.memberPermissions.toString() },
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
    this.interactions.set(state.id, state);
    this.interactionsByToken.set(state.token, state);
    // The acknowledgement clock starts when Discord sends the event.
    state.dispatchedAt = performance.now();
    this.dispatch(session, 'INTERACTION_CREATE', payload);
    return new InteractionHandle(this, state);
  }
}

// ---------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------

function toOverwrite(spec: OverwriteSpec): Overwrite {
  return { id: spec.id, type: spec.type, allow: toPermissionBits(spec.allow), deny: toPermissionBits(spec.deny) };
}

/** Discord returns embeds with `type: 'rich'` filled in. */
function normalizeEmbeds(embeds: unknown): APIEmbed[] {
  if (!Array.isArray(embeds)) return [];
  return embeds.filter(isObject).map((e) => ({ type: 'rich', ...e }) as APIEmbed);
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function matchSegments(template: string[], actual: string[]): boolean {
  return template.length === actual.length && template.every((s, i) => s.startsWith(':') || s === actual[i]);
}

function rawToString(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

/** JSON bodies, and multipart bodies (`payload_json` + files) as discord.js sends uploads. */
async function parseBody(raw: Buffer, contentType: string | undefined): Promise<{ body: unknown; files: UploadedFile[] }> {
  if (raw.length === 0) return { body: undefined, files: [] };
  if (contentType?.startsWith('multipart/form-data')) {
    const form = await new Response(raw, { headers: { 'content-type': contentType } }).formData();
    const files: UploadedFile[] = [];
    let body: unknown;
    for (const [field, value] of form.entries()) {
      if (typeof value === 'string') {
        if (field === 'payload_json') body = JSON.parse(value);
      } else {
        files.push({ field, name: value.name, size: value.size, contentType: value.type || 'application/octet-stream' });
      }
    }
    return { body, files };
  }
  if (contentType?.startsWith('application/json')) return { body: JSON.parse(raw.toString('utf8')), files: [] };
  return { body: raw.toString('utf8'), files: [] };
}
