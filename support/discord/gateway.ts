/**
 * The gateway (WebSocket, JSON encoding, v10) as discord.js speaks to it:
 * HELLO → IDENTIFY → READY (guilds as unavailable stubs) → one GUILD_CREATE
 * per guild of the shard; heartbeats; op 7 RECONNECT and RESUME with replay
 * of what the client missed; Discord's close codes for every refusal.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { GatewayCloseCodes, GatewayIntentBits, GatewayOpcodes, type APIMessage } from 'discord-api-types/v10';
import type { RawData, WebSocket, WebSocketServer } from 'ws';
import { guildCreatePayload } from './objects.js';
import { shardForGuild } from './snowflake.js';
import { IDENTIFY_WINDOW_MS, isObject, type Json, type World } from './state.js';
import type { GatewayCloseRecord, IdentifyRecord, ResumeRecord } from './types.js';

const PRIVILEGED_INTENTS =
  GatewayIntentBits.GuildMembers | GatewayIntentBits.GuildPresences | GatewayIntentBits.MessageContent;

export interface GatewayPayload {
  op: number;
  d: unknown;
  s: number | null;
  t: string | null;
}

export interface Session {
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

export interface GatewayConnection {
  socket: WebSocket;
  path: string;
  session: Session | null;
  closed: boolean;
  heartbeatWaiters: (() => void)[];
}

export class Gateway {
  private readonly sessions: Session[] = [];
  private readonly connections = new Set<GatewayConnection>();

  constructor(
    private readonly world: World,
    private readonly wss: WebSocketServer,
  ) {}

  /** Drop every socket at once (the stand-in is closing). */
  terminateAll(): void {
    for (const connection of this.connections) connection.socket.terminate();
  }

  onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
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
      this.send(connection, { op: GatewayOpcodes.Hello, d: { heartbeat_interval: this.world.options.heartbeatIntervalMs }, s: null, t: null });
    });
  }

  send(connection: GatewayConnection, payload: GatewayPayload): void {
    if (!connection.closed) connection.socket.send(JSON.stringify(payload));
  }

  closeConnection(connection: GatewayConnection, code: number, reason: string): void {
    if (connection.closed) return;
    connection.closed = true;
    this.detach(connection);
    const record: GatewayCloseRecord = { shardId: connection.session?.shardId ?? null, code, by: 'stand-in', at: this.world.elapsed() };
    this.world.gatewayCloses.push(record);
    this.world.events.emit('gatewayClose', record);
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
    const record: GatewayCloseRecord = { shardId: session?.shardId ?? null, code, by: 'client', at: this.world.elapsed() };
    this.world.gatewayCloses.push(record);
    this.world.events.emit('gatewayClose', record);
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
        this.world.heartbeats += 1;
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
    const tokenAccepted = d.token === this.world.token && !this.world.refuseGateway;
    const bucket = (Number.isInteger(shard[0]) && shard[0] >= 0 ? shard[0] : 0) % this.world.options.maxConcurrency;
    const record: IdentifyRecord = { shard, bucket, intents, tokenAccepted, properties: d.properties, outcome: 'ready', at: this.world.elapsed() };
    this.world.identifies.push(record);
    const refuse = (code: number, reason: string): void => {
      record.outcome = code;
      this.world.events.emit('identify', record);
      this.closeConnection(connection, code, reason);
    };
    if (connection.session) return refuse(GatewayCloseCodes.AlreadyAuthenticated, 'Already authenticated.');
    if (!tokenAccepted) return refuse(GatewayCloseCodes.AuthenticationFailed, 'Authentication failed.');
    const [shardId, shardCount] = shard;
    if (!Number.isInteger(shardId) || !Number.isInteger(shardCount) || shardCount < 1 || shardId < 0 || shardId >= shardCount) {
      return refuse(GatewayCloseCodes.InvalidShard, 'Invalid shard.');
    }
    if (!Number.isInteger(intents) || intents < 0) return refuse(GatewayCloseCodes.InvalidIntents, 'Invalid intent(s).');
    if (intents & PRIVILEGED_INTENTS & ~this.world.options.privilegedIntents) {
      return refuse(GatewayCloseCodes.DisallowedIntents, 'Disallowed intent(s).');
    }
    if (this.world.options.enforceIdentifyConcurrency) {
      // Sessions started in this bucket within the window (a refused IDENTIFY started none).
      const recent = this.world.identifies.filter((i) => i !== record && i.outcome === 'ready' && i.bucket === bucket && record.at - i.at < IDENTIFY_WINDOW_MS);
      if (recent.length > 0) {
        record.outcome = 'invalid-session';
        this.world.events.emit('identify', record);
        // Not resumable (d: false): the client waits and identifies again.
        this.send(connection, { op: GatewayOpcodes.InvalidSession, d: false, s: null, t: null });
        return;
      }
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
    const guilds = [...this.world.guilds.values()].filter((g) => g.botInstalled && shardForGuild(g.id, shardCount) === shardId);
    this.dispatch(session, 'READY', {
      v: 10,
      user: { ...this.world.botUser, verified: true, mfa_enabled: false, email: null, flags: 0 },
      guilds: guilds.map((g) => ({ id: g.id, unavailable: true })),
      session_id: session.id,
      session_type: 'normal',
      resume_gateway_url: this.world.resumeGatewayUrl,
      shard,
      application: { id: this.world.applicationId, flags: this.world.applicationFlags() },
      user_settings: {},
      relationships: [],
      private_channels: [],
      presences: [],
      guild_join_requests: [],
      geo_ordered_rtc_regions: [],
      auth: {},
      _trace: ['["stand-in",{"micros":0}]'],
    });
    this.world.events.emit('identify', record);

    // @discordjs/ws handles each frame in its own promise chain, and a
    // GUILD_CREATE handled before READY would leave the guild marked
    // unavailable. With @discordjs/ws 1.2.3 the order happens to hold (the
    // GUILD_CREATE path awaits once more than READY's); rather than rely on
    // that, ask for a heartbeat (op 1, a normal Discord request) and send the
    // guilds once it arrives, which proves READY has been processed.
    this.afterClientCaughtUp(connection, () => {
      if (session.invalidated || session.connection !== connection) return;
      for (const guild of guilds) this.dispatch(session, 'GUILD_CREATE', guildCreatePayload(guild));
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
    if (d.token !== this.world.token || this.world.refuseGateway) {
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
      at: this.world.elapsed(),
    };
    this.world.resumes.push(record);
    this.world.events.emit('resume', record);
  }

  dispatch(session: Session, t: string, d: unknown): void {
    session.seq += 1;
    const payload: GatewayPayload = { op: GatewayOpcodes.Dispatch, t, s: session.seq, d };
    session.backlog.push(payload);
    if (session.backlog.length > 1000) session.backlog.shift();
    // While disconnected the event waits in the backlog for a RESUME.
    if (session.connection) this.send(session.connection, payload);
  }

  /** Live (not invalidated) sessions whose shard covers `guildId`, newest last. */
  sessionsFor(guildId: string): Session[] {
    return this.sessions.filter((s) => !s.invalidated && shardForGuild(guildId, s.shardCount) === s.shardId);
  }

  /** Live sessions of one shard, newest last (private channels' events go to shard 0). */
  sessionsOnShard(shardId: number): Session[] {
    return this.sessions.filter((s) => !s.invalidated && s.shardId === shardId);
  }

  dispatchToGuild(guildId: string, t: string, d: unknown): void {
    for (const session of this.sessionsFor(guildId)) this.dispatch(session, t, d);
  }

  dispatchMessageEvent(guildId: string, t: string, message: APIMessage): void {
    for (const session of this.sessionsFor(guildId)) {
      if (session.intents & GatewayIntentBits.GuildMessages) this.dispatch(session, t, message);
    }
  }

  expectResumes(shardId: number | undefined, timeoutMs: number, trigger: (c: GatewayConnection) => void): Promise<ResumeRecord[]> {
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
        this.world.events.off('resume', onResume);
        this.world.events.off('identify', onIdentify);
        if (err) reject(err);
        else resolve(results);
      };
      this.world.events.on('resume', onResume);
      this.world.events.on('identify', onIdentify);
      for (const session of targets) if (session.connection) trigger(session.connection);
    });
  }
}

function rawToString(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}
