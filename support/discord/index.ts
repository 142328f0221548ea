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
 * - IDENTIFY's rate limit: each IDENTIFY is recorded with its bucket
 *   (`shard id % max_concurrency`, `GET /gateway/bot`'s `session_start_limit`)
 *   and time; with `enforceIdentifyConcurrency`, one in a bucket used within
 *   5 s gets an Invalid Session (op 9), as Discord documents.
 * - Interactions: INTERACTION_CREATE payloads shaped like Discord's, the
 *   callback endpoint with its 3 s deadline and single-acknowledgement rule,
 *   and the auth-less webhook endpoints for @original and follow-ups.
 * - Channel posts with permission checks computed from the configured roles
 *   and overwrites, threads, command registration, and Discord's form limits.
 * - Everything the bot sends is recorded (with timings) for assertions; any
 *   route not modelled answers 404 and is listed in `unknownRequests`.
 *
 * Where each piece lives (add to the section a Discord feature belongs to):
 * - `state.ts`: the world (servers, roles, channels, members, messages,
 *   interactions in flight, records) and the guild model's lookups;
 * - `http.ts`: REST plumbing (matching, auth, bodies, injected failures,
 *   responses held back: a request that took effect while its client died);
 * - `routes/application.ts`, `routes/commands.ts`, `routes/channels.ts`
 *   (channel posts, threads), `routes/interactions.ts` (the callback and the
 *   webhook routes of follow-ups and @original);
 * - `messages.ts`: creating, editing and deleting messages for every route;
 * - `gateway.ts`: the WebSocket gateway, sessions, resume, dispatch;
 * - `interactions.ts`: building INTERACTION_CREATE (invoker, context,
 *   resolved options) and the InteractionHandle tests wait on;
 * - `objects.ts`: Discord's JSON shapes; `permissions.ts`, `validation.ts`:
 *   Discord's permission arithmetic and form-body limits; `errors.ts`.
 *
 * Error bodies use Discord's real codes and messages (see errors.ts). Two
 * deliberate deviations from a naive reading of "reject like Discord": a post
 * to a channel the bot cannot see is 403 **50001 Missing Access** (that is what
 * Discord answers, not 50013), and an embed posted without EMBED_LINKS is only
 * refused (50013) when the message has nothing else to show; with content it
 * is accepted and the embeds are dropped, as Discord does.
 *
 * The bot token is never written anywhere: records keep only whether an
 * Authorization header was present and accepted.
 */
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { GatewayOpcodes, type APIMessage, type APIUser } from 'discord-api-types/v10';
import { WebSocketServer } from 'ws';
import { Gateway } from './gateway.js';
import { Http } from './http.js';
import { Interactions, type InteractionHandle } from './interactions.js';
import { MessageStore } from './messages.js';
import { apiChannel } from './objects.js';
import { applicationRoutes } from './routes/application.js';
import { Channels } from './routes/channels.js';
import { Commands } from './routes/commands.js';
import { InteractionResponses } from './routes/interactions.js';
import { isThread, toOverwrite, World, type Json } from './state.js';
import type {
  AutocompleteSpec,
  ButtonSpec,
  CallbackRecord,
  CommandSpec,
  GatewayCloseRecord,
  IdentifyRecord,
  OverwriteSpec,
  RecordedRequest,
  ResumeRecord,
  StandInOptions,
  WebhookCallRecord,
} from './types.js';

export { ERRORS } from './errors.js';
export { InteractionHandle } from './interactions.js';
export { ALL_PERMISSIONS, DEFAULT_EVERYONE_PERMISSIONS, type PermissionInput } from './permissions.js';
export { guildIdForShard, shardForGuild, snowflake } from './snowflake.js';
export type * from './types.js';
export { LIMITS } from './validation.js';

const DEFAULT_WAIT_MS = 5000;

/**
 * The local Discord. Create with `await StandIn.start(options)`, stop with
 * `await standIn.close()`.
 *
 * Events (EventEmitter): 'identify' (IdentifyRecord), 'resume'
 * (ResumeRecord), 'gatewayClose' (GatewayCloseRecord).
 */
export class StandIn extends EventEmitter {
  /** e.g. `http://127.0.0.1:PORT/api`: give it to `new Client({ rest: { api } })`. */
  readonly apiBase: string;
  readonly token: string;
  readonly applicationId: string;
  readonly botUser: APIUser;

  /** Every HTTP request, in arrival order. */
  readonly requests: RecordedRequest[];
  /** Every interaction callback attempt. */
  readonly callbacks: CallbackRecord[];
  /** Every webhook (follow-up / @original) call. */
  readonly webhookCalls: WebhookCallRecord[];
  /** Every IDENTIFY, with its shard, rate-limit bucket, outcome and time. */
  readonly identifies: IdentifyRecord[];
  /** Successful resumes; `resumes.length` is the count. */
  readonly resumes: ResumeRecord[];
  readonly gatewayCloses: GatewayCloseRecord[];

  private readonly world: World;
  private readonly gateway: Gateway;
  private readonly http: Http;
  private readonly commandRoutes: Commands;
  private readonly interactionBuilder: Interactions;
  private closed = false;

  private constructor(
    private readonly server: Server,
    private readonly wss: WebSocketServer,
    port: number,
    options: StandInOptions,
  ) {
    super();
    const world = new World(this, port, options);
    this.world = world;
    this.apiBase = world.apiBase;
    this.token = world.token;
    this.applicationId = world.applicationId;
    this.botUser = world.botUser;
    this.requests = world.requests;
    this.callbacks = world.callbacks;
    this.webhookCalls = world.webhookCalls;
    this.identifies = world.identifies;
    this.resumes = world.resumes;
    this.gatewayCloses = world.gatewayCloses;

    this.gateway = new Gateway(world, wss);
    const store = new MessageStore(world, this.gateway);
    this.commandRoutes = new Commands(world);
    this.interactionBuilder = new Interactions(world, this.gateway, this.commandRoutes);
    this.http = new Http(world, [
      ...applicationRoutes(world),
      ...this.commandRoutes.routes(),
      ...new InteractionResponses(world, store).routes(),
      ...new Channels(world, store, this.gateway).routes(),
    ]);
  }

  /**
   * When sessions started (ms since the stand-in started), per rate-limit bucket
   * (`shard id % max_concurrency`), in order: IDENTIFYs answered with READY.
   */
  identifyTimesByBucket(): Map<number, number[]> {
    const byBucket = new Map<number, number[]>();
    for (const i of this.identifies) if (i.outcome === 'ready') byBucket.set(i.bucket, [...(byBucket.get(i.bucket) ?? []), i.at]);
    return byBucket;
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
    server.on('request', (req: IncomingMessage, res: ServerResponse) => void standIn.http.onHttpRequest(req, res));
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => standIn.gateway.onUpgrade(req, socket, head));
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
    this.http.releaseAll();
    this.gateway.terminateAll();
    const closing = new Error('the stand-in was closed');
    for (const state of this.world.interactions.values()) for (const listener of [...state.listeners]) listener.cancel(closing);
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Heartbeats (op 1) received. */
  get heartbeats(): number {
    return this.world.heartbeats;
  }

  // -------------------------------------------------------------------------
  // Public helpers: configuration and inspection
  // -------------------------------------------------------------------------

  /** Id of the first configured guild. */
  get guildId(): string {
    return this.world.guildId;
  }

  /** Id of the first text channel of the first guild. */
  get channelId(): string {
    return this.world.defaultChannelOf(this.world.guildState(this.guildId)).id;
  }

  /** Requests to routes the stand-in does not model (answered 404). */
  get unknownRequests(): RecordedRequest[] {
    return this.requests.filter((r) => r.route === null);
  }

  /** A message by id (current state), including ephemeral ones. */
  message(id: string): APIMessage | undefined {
    return this.world.snapshot(id);
  }

  /** Messages in a channel's history, oldest first (ephemeral replies are not in a channel's history). */
  channelMessages(channelId: string): APIMessage[] {
    return (this.world.channelHistory.get(channelId) ?? []).flatMap((id) => this.world.snapshot(id) ?? []);
  }

  /** Registered commands: global ones, or those of `guildId`. */
  commands(guildId?: string): Json[] {
    return this.commandRoutes.list(guildId);
  }

  /** The channel as Discord would return it from `GET /channels/:id`. */
  channel(id: string): Json | undefined {
    const channel = this.world.findChannel(id);
    return channel ? apiChannel(channel, true) : undefined;
  }

  /**
   * The bot's permissions in a channel, as the stand-in enforces them (the
   * same arithmetic as discord.js' `channel.permissionsFor(guild.members.me)`).
   */
  botPermissions(channelId: string): bigint {
    const channel = this.world.findChannel(channelId);
    if (!channel) throw new Error(`unknown channel ${channelId}`);
    return this.world.permissionsIn(channel, this.world.botUser.id);
  }

  /**
   * Make the accepted token invalid: REST answers 401 and IDENTIFY/RESUME are
   * closed with 4004. With `{ gatewayOnly: true }` REST keeps accepting it,
   * which is how a test reaches the gateway's 4004 path (discord.js checks the
   * token with `GET /gateway/bot` first).
   */
  revokeToken({ gatewayOnly = false } = {}): void {
    this.world.refuseGateway = true;
    this.world.refuseRest = !gatewayOnly;
  }

  /**
   * Make the next request matching `route` fail with `status`. `route` is
   * either `'METHOD /template'` (e.g. `'POST /channels/:channelId/messages'`)
   * or a RegExp tested against
   * `'METHOD /actual/path'`. Call it n times to fail n requests. For 429 a
   * Discord-like body and `retry-after` (0.05 s) are filled in unless given;
   * pass `{ 'x-ratelimit-global': 'true' }` for a global limit. Injected
   * failures have no side effects (nothing is stored or dispatched).
   */
  failNext(route: string | RegExp, status: number, body?: unknown, headers: Record<string, string> = {}): void {
    this.http.failNext(route, status, body, headers);
  }

  /**
   * Requests matching `route` (a RegExp tested against `'METHOD /actual/path'`)
   * take effect as usual — a message posted exists — but their responses wait
   * until the returned function is called (or the stand-in closes): a client
   * killed meanwhile never hears that Discord accepted them.
   */
  holdResponses(route: RegExp): () => void {
    return this.http.holdResponses(route);
  }

  /**
   * A member or moderator deletes a message: later requests for it get 10008.
   * (MESSAGE_DELETE needs the GuildMessages intent, so a Guilds-only bot is not told.)
   */
  deleteMessage(id: string): void {
    const message = this.world.messages.get(id);
    if (!message) throw new Error(`unknown message ${id}`);
    this.world.messages.delete(id);
    this.world.ephemeralIds.delete(id);
    const history = this.world.channelHistory.get(message.channel_id);
    if (history) this.world.channelHistory.set(message.channel_id, history.filter((m) => m !== id));
  }

  /** Delete a channel (and its threads): later requests get 10003 and clients get CHANNEL_DELETE. */
  deleteChannel(id: string): void {
    const channel = this.world.findChannel(id);
    if (!channel?.guildId) throw new Error(`unknown server channel ${id}`);
    const guild = this.world.guildState(channel.guildId);
    for (const thread of [...guild.channels.values()].filter((c) => c.parentId === id && isThread(c.type))) {
      guild.channels.delete(thread.id);
      this.gateway.dispatchToGuild(guild.id, 'THREAD_DELETE', { id: thread.id, guild_id: guild.id, parent_id: id, type: thread.type });
    }
    guild.channels.delete(id);
    this.gateway.dispatchToGuild(guild.id, isThread(channel.type) ? 'THREAD_DELETE' : 'CHANNEL_DELETE', apiChannel(channel, true));
  }

  /**
   * The bot is removed from a guild (kicked, or the server deleted): clients
   * get GUILD_DELETE without `unavailable`, which discord.js reports as
   * guildDelete. The guild's state stays, so later REST calls still resolve.
   */
  removeBotFromGuild(guildId: string): void {
    this.world.guildState(guildId);
    this.gateway.dispatchToGuild(guildId, 'GUILD_DELETE', { id: guildId });
  }

  /** Replace a channel's permission overwrites (CHANNEL_UPDATE is dispatched). */
  setChannelOverwrites(id: string, overwrites: OverwriteSpec[]): void {
    const channel = this.world.findChannel(id);
    if (!channel?.guildId) throw new Error(`unknown server channel ${id}`);
    channel.overwrites = overwrites.map(toOverwrite);
    this.gateway.dispatchToGuild(channel.guildId, 'CHANNEL_UPDATE', apiChannel(channel, true));
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
    return this.gateway.expectResumes(shardId, timeoutMs, (connection) =>
      this.gateway.send(connection, { op: GatewayOpcodes.Reconnect, d: null, s: null, t: null }),
    );
  }

  /**
   * Close the gateway socket(s) abruptly with `code` (default 4000 Unknown
   * error, which clients answer by resuming) and resolve once resumed.
   */
  dropConnection(shardId?: number, code = 4000, timeoutMs = DEFAULT_WAIT_MS): Promise<ResumeRecord[]> {
    return this.gateway.expectResumes(shardId, timeoutMs, (connection) =>
      this.gateway.closeConnection(connection, code, 'Stand-in dropped the connection'),
    );
  }

  /** Dispatch a slash command (INTERACTION_CREATE type 2). */
  sendCommand(spec: CommandSpec): Promise<InteractionHandle> {
    return this.interactionBuilder.sendCommand(spec);
  }

  /** Dispatch an autocomplete request (INTERACTION_CREATE type 4). */
  sendAutocomplete(spec: AutocompleteSpec): Promise<InteractionHandle> {
    return this.interactionBuilder.sendAutocomplete(spec);
  }

  /** Dispatch a button press (INTERACTION_CREATE type 3) on a message. */
  sendButton(spec: ButtonSpec): Promise<InteractionHandle> {
    return this.interactionBuilder.sendButton(spec);
  }
}
