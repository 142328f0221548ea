/**
 * Stopping a discord.js client so that nothing of it outlives a test.
 *
 * `client.destroy()` cannot stop a reconnect already under way: @discordjs/ws
 * recovers a dropped or zombie connection by closing it, sleeping 500 ms and
 * connecting again, and a shard destroyed while it sleeps is "idle", so the
 * destroy is a no-op and the shard reconnects afterwards, with its heartbeat
 * interval and, once the stand-in is gone, a reconnect loop every 500 ms that
 * keeps the test process alive for ever. So wait until every shard is settled
 * (ready, or disconnected for good) and destroy in that same tick, before any
 * heartbeat timer can start another recovery.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Status, type Client } from 'discord.js';

const SETTLED: ReadonlySet<Status> = new Set([Status.Ready, Status.Disconnected, Status.Idle]);

export async function stopClient(client: Client, timeoutMs = 10_000): Promise<void> {
  await settled(client, timeoutMs);
  await client.destroy();
}

/** Resolves once no shard of `client` is reconnecting; call what destroys it right after, without awaiting anything else. */
export async function settled(client: Client, timeoutMs = 10_000): Promise<void> {
  // Destroyed already (destroy() clears the token; a destroyed shard stays "connecting"): nothing to wait for.
  if (client.token === null) return;
  const deadline = Date.now() + timeoutMs;
  while (client.ws.shards.some((shard) => !SETTLED.has(shard.status))) {
    if (Date.now() > deadline) {
      const states = client.ws.shards.map((shard) => `shard ${shard.id}: ${Status[shard.status]}`).join(', ');
      throw new Error(`discord.js client still reconnecting after ${timeoutMs} ms (${states}); destroying it now would leak its timers`);
    }
    await sleep(10);
  }
}
