/**
 * Before connecting: one `GET /v10/gateway/bot` on DISCORD_API_BASE, with a
 * deadline, read by us. discord.js' login makes the same request, but what it
 * says when the base is wrong is no help to a person — an HTML page comes out
 * as "Cannot read properties of undefined (reading 'reset_after')", a server
 * that never answers as "This operation was aborted" after 61 s of retries.
 * Here each failure becomes one line: what was tried, where, and what to check.
 * The answer also tells the sharding manager the recommended shard count.
 */
import http from 'node:http';
import https from 'node:https';
import { tokenAdvice } from './config.js';
import { StartError } from './start-error.js';

export interface GatewayInfo {
  /** The gateway's WebSocket URL. */
  readonly url: string;
  /** Discord's recommended shard count. */
  readonly shards: number;
  /** IDENTIFYs allowed at once (per 5 s); shards `id % maxConcurrency` share a bucket. */
  readonly maxConcurrency: number;
}

export interface DiscordCheckOptions {
  /** How long the whole request (connect, answer, body) may take. Default 10 s. */
  readonly timeoutMs?: number;
}

export const DISCORD_CHECK_TIMEOUT_MS = 10_000;

const CHECK_BASE = 'Check DISCORD_API_BASE: leave it unset for Discord itself (https://discord.com/api)';

/** Asks Discord's API for the gateway, or throws a StartError of one line. The token never appears in it. */
export async function checkDiscord(apiBase: string, token: string, options: DiscordCheckOptions = {}): Promise<GatewayInfo> {
  const url = `${apiBase}/v10/gateway/bot`;
  const tried = `GET ${url}`;
  const timeoutMs = options.timeoutMs ?? DISCORD_CHECK_TIMEOUT_MS;
  const seconds = `${Math.round(timeoutMs / 100) / 10} s`;
  const redact = (text: string) => text.split(token).join('[token]');

  let answer: Answer;
  try {
    answer = await get(url, { Authorization: `Bot ${token}`, 'User-Agent': 'DiscordBot (https://github.com/hidden-voices, 1.0)' }, timeoutMs);
  } catch (err) {
    if (err instanceof TimedOut) {
      throw new StartError(`Discord's API did not answer within ${seconds} (tried ${tried}). ${CHECK_BASE}, and that this machine can reach it (network, firewall, proxy).`);
    }
    throw new StartError(`Could not reach Discord's API (tried ${tried}: ${redact(networkReason(err))}). ${CHECK_BASE}, and that this machine can reach it (network, firewall, proxy).`);
  }
  const { status, contentType, text, location } = answer;
  if (status === 401) throw new StartError(tokenAdvice('refused'));
  const body = parseJson(text);
  const what = location ? `a redirect to ${location}` : describeBody(contentType, text, body);
  if (status === 429) {
    const wait = typeof (body as { retry_after?: unknown } | null)?.retry_after === 'number' ? ` for ${Math.ceil((body as { retry_after: number }).retry_after)} s` : '';
    throw new StartError(`Discord's API is rate-limiting this bot${wait} (HTTP 429 to ${tried}). Wait, then start again; if it keeps happening, the token may be shared with another running bot.`);
  }
  if (status >= 500) {
    throw new StartError(`Discord's API answered HTTP ${status} with ${what} (tried ${tried}): it may be down (https://discordstatus.com), so try again later. ${CHECK_BASE}.`);
  }
  const gateway = body as { url?: unknown; shards?: unknown; session_start_limit?: { max_concurrency?: unknown } } | null;
  if (status < 200 || status >= 300 || typeof gateway?.url !== 'string') {
    throw new StartError(`${apiBase} does not answer like Discord's API: HTTP ${status} with ${what} instead of the gateway's address (tried ${tried}). ${CHECK_BASE}.`);
  }
  const shards = typeof gateway.shards === 'number' ? gateway.shards : 1;
  const concurrency = gateway.session_start_limit?.max_concurrency;
  return {
    url: gateway.url,
    shards: Math.max(1, Math.floor(shards)),
    maxConcurrency: Math.max(1, Math.floor(typeof concurrency === 'number' ? concurrency : 1)),
  };
}

interface Answer {
  readonly status: number;
  readonly contentType: string;
  readonly location: string | undefined;
  readonly text: string;
}

class TimedOut extends Error {}

/**
 * One GET with node:http(s), redirects not followed, the deadline covering the
 * body too (a server that sends headers and then nothing is no better).
 * Not fetch(): it refuses "bad ports" (9, 6000, 6667…) that discord.js would use.
 */
function get(url: string, headers: Record<string, string>, timeoutMs: number): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const request = (target.protocol === 'https:' ? https : http).get(target, { headers }, (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size <= 1_000_000) chunks.push(chunk);
      });
      response.on('error', reject);
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          contentType: response.headers['content-type'] ?? '',
          location: response.statusCode && response.statusCode >= 300 && response.statusCode < 400 ? response.headers.location : undefined,
          text: Buffer.concat(chunks).toString('utf8'),
        }),
      );
    });
    const timer = setTimeout(() => request.destroy(new TimedOut()), timeoutMs);
    request.on('error', reject);
    request.on('close', () => clearTimeout(timer));
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** What came back, in a few words: "an HTML page", "an empty answer", "JSON without it"… */
function describeBody(contentType: string, text: string, body: unknown): string {
  if (text.trim() === '') return 'an empty answer';
  if (body !== undefined) {
    const message = (body as { message?: unknown } | null)?.message;
    return typeof message === 'string' ? `the JSON message “${message.slice(0, 120)}”` : 'JSON of another shape';
  }
  if (/html/i.test(contentType) || /^\s*</.test(text)) return 'an HTML page';
  return `${contentType.split(';')[0] || 'text'} that is not JSON`;
}

/** Connection refused, no such host, a certificate…, in words. */
function networkReason(err: unknown): string {
  const cause = err;
  const code = (cause as { code?: unknown }).code;
  const known: Record<string, string> = {
    ECONNREFUSED: 'connection refused',
    ENOTFOUND: 'no such host',
    EAI_AGAIN: 'the host name could not be looked up',
    ECONNRESET: 'the connection was reset',
    EHOSTUNREACH: 'host unreachable',
    ENETUNREACH: 'network unreachable',
    UND_ERR_SOCKET: 'the connection closed without an answer',
  };
  if (typeof code === 'string' && known[code]) return known[code];
  const message = cause instanceof Error ? cause.message : String(cause);
  return typeof code === 'string' && !message.includes(code) ? `${message} (${code})` : message;
}
