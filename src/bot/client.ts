/**
 * The discord.js client of the bot: least intents, the REST base from config,
 * a presence; and, wired once the app exists, the one interaction funnel.
 */
import { ActivityType, Client, Events, GatewayIntentBits, type ClientOptions } from 'discord.js';
import type { Dispatcher } from '../interactions/dispatch.js';
import type { Logger } from '../log.js';
import { createInteractionHandler } from './funnel.js';

export interface ClientSettings {
  readonly apiBase: string;
  readonly log: Logger;
  /** For sharded runs discord.js passes these through the environment; tests may set them. */
  readonly shards?: ClientOptions['shards'];
  readonly shardCount?: number;
  /** discord.js' hook for spacing IDENTIFYs (src/shard/identify.ts: across processes, through the database). */
  readonly buildIdentifyThrottler?: NonNullable<ClientOptions['ws']>['buildIdentifyThrottler'];
}

export interface InteractionSettings {
  readonly dispatcher: Dispatcher;
  readonly log: Logger;
  readonly clock?: () => Date;
  readonly deferAfterMs?: number;
}

/** The client, not yet answering: the daily poster needs it before the app (and so the dispatcher) exists. */
export function createClient(options: ClientSettings): Client {
  const client = new Client({
    // Guilds is all we need: slash commands and buttons arrive as interactions, not messages.
    intents: [GatewayIntentBits.Guilds],
    rest: { api: options.apiBase },
    presence: { activities: [{ name: '/quote · sourced Soviet voices', type: ActivityType.Custom, state: '/quote · sourced Soviet voices' }] },
    ...(options.shards !== undefined ? { shards: options.shards } : {}),
    ...(options.shardCount !== undefined ? { shardCount: options.shardCount } : {}),
    // Merged by discord.js with its ws defaults (version, large_threshold…): only the throttler changes.
    ...(options.buildIdentifyThrottler ? { ws: { buildIdentifyThrottler: options.buildIdentifyThrottler } } : {}),
  });
  client.once(Events.ClientReady, (c) => {
    options.log.info({ user: c.user.tag, guilds: c.guilds.cache.size, shards: c.shard?.ids ?? c.ws.shards.map((s) => s.id) }, 'ready');
  });
  client.on(Events.ShardResume, (id, replayed) => options.log.info({ shard: id, replayed }, 'gateway session resumed'));
  client.on(Events.ShardDisconnect, (event, id) => options.log.warn({ shard: id, code: event.code }, 'gateway disconnected'));
  client.on(Events.Error, (err) => options.log.error({ err }, 'client error'));
  client.on(Events.Warn, (message) => options.log.warn({ message }, 'client warning'));
  return client;
}

/** Routes every interaction of the client through the one funnel; call before logging in. */
export function answerInteractions(client: Client, options: InteractionSettings): void {
  const handle = createInteractionHandler(options);
  client.on(Events.InteractionCreate, (interaction) => {
    // The funnel never throws; the catch is a last line against a bug in the funnel itself.
    handle(interaction).catch((err: unknown) => options.log.error({ err, interaction: interaction.id }, 'interaction funnel failed'));
  });
}
