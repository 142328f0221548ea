/** The routes about the application itself: where the gateway is, the bot user, the application. */
import { route, type Route } from '../http.js';
import type { World } from '../state.js';

export function applicationRoutes(world: World): Route[] {
  return [
    route('GET', '/gateway', false, () => ({ status: 200, body: { url: world.gatewayUrl } })),
    route('GET', '/gateway/bot', true, () => ({
      status: 200,
      body: {
        url: world.gatewayUrl,
        shards: world.options.recommendedShards,
        session_start_limit: {
          total: 1000,
          remaining: 999,
          reset_after: 14_400_000,
          max_concurrency: world.options.maxConcurrency,
        },
      },
    })),
    route('GET', '/users/@me', true, () => ({ status: 200, body: world.botUser })),
    route('GET', '/applications/@me', true, () => ({ status: 200, body: world.apiApplication() })),
  ];
}
