/**
 * The discord.js client of the bot: least intents, the REST base from config,
 * one interaction funnel, a presence.
 */
import { ActivityType, Client, Events, GatewayIntentBits, type ClientOptions } from 'discord.js';
import type { Dispatcher } from '../interactions/dispatch.js';
import type { Logger } from '../log.js';
import { createInteractionHandler } from './funnel.js';

export interface BotOptions {
  readonly apiBase: string;
  readonly dispatcher: Dispatcher;
  readonly log: Logger;
  readonly clock?: () => Date;
  /** For sharded runs discord.js passes these through the environment; tests may set them. */
  readonly shards?: ClientOptions['shards'];
  readonly shardCount?: number;
  readonly deferAfterMs?: number;
}

export function createClient(options: BotOptions): Client {
  const client = new Client({
    // Guilds is all we need: slash commands and buttons arrive as interactions, not messages.
    intents: [GatewayIntentBits.Guilds],
    rest: { api: options.apiBase },
    presence: { activities: [{ name: '/quote · sourced Soviet voices', type: ActivityType.Custom, state: '/quote · sourced Soviet voices' }] },
    ...(options.shards !== undefined ? { shards: options.shards } : {}),
    ...(options.shardCount !== undefined ? { shardCount: options.shardCount } : {}),
  });
  const handle = createInteractionHandler({
    dispatcher: options.dispatcher,
    log: options.log,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.deferAfterMs !== undefined ? { deferAfterMs: options.deferAfterMs } : {}),
  });
  client.on(Events.InteractionCreate, (interaction) => {
    // The funnel never throws; the catch is a last line against a bug in the funnel itself.
    handle(interaction).catch((err: unknown) => options.log.error({ err, interaction: interaction.id }, 'interaction funnel failed'));
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
