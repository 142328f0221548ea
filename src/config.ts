/**
 * Configuration, validated once at start into a frozen, typed object.
 * Nothing else in the program reads process.env.
 */
import path from 'node:path';
import { z } from 'zod';
import { ROOT } from './paths.js';

/** Discord bot tokens: three base64url segments separated by dots. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{20,}$/;

const snowflake = z.string().regex(/^\d{17,20}$/, 'must be a Discord id (17–20 digits)');

const schema = z.object({
  DISCORD_TOKEN: z.string().trim().optional(),
  DISCORD_API_BASE: z.string().url().default('https://discord.com/api'),
  DISCORD_GUILD_ID: snowflake.optional(),
  DATABASE_PATH: z.string().min(1).default(path.join(ROOT, 'var', 'hidden-voices.db')),
  // Its message never repeats the value: a URL carries a password.
  DATABASE_URL: z.string().trim().regex(/^postgres(ql)?:\/\/\S+$/i, 'must be a postgres:// URL (or unset, for the SQLite file at DATABASE_PATH)').optional(),
  DATA_DIR: z.string().min(1).default(path.join(ROOT, 'data')),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_FORMAT: z.enum(['pretty', 'json', 'auto']).default('auto'),
  SHARDS: z
    .string()
    .regex(/^(auto|[1-9]\d*)$/, 'must be a positive number or "auto"')
    .optional(),
  SHARD_COUNT: z.string().regex(/^[1-9]\d*$/, 'must be a positive number (the total of shards across every machine)').optional(),
  SHARD_IDS: z
    .string()
    .transform((v) => v.replace(/\s+/g, ''))
    .pipe(z.string().regex(/^\d+(-\d+)?(,\d+(-\d+)?)*$/, 'must list shard ids and ranges, such as 0-7 or 0,2,4-6'))
    .optional(),
  CLUSTERS: z.string().regex(/^[1-9]\d*$/, 'must be a positive number (processes, each running several shards)').optional(),
});

export interface Config {
  /** Undefined when unset: the bot refuses to start and points to the console. */
  readonly token: string | undefined;
  readonly apiBase: string;
  readonly guildId: string | undefined;
  readonly databasePath: string;
  /** DATABASE_URL: PostgreSQL instead of the SQLite file; it holds a password, so it is never logged. */
  readonly databaseUrl: string | undefined;
  readonly dataDir: string;
  readonly logLevel: z.infer<typeof schema>['LOG_LEVEL'];
  readonly logFormat: 'pretty' | 'json' | 'auto';
  /** SHARDS: the total number of shards, or Discord's recommendation; 1 when unset. */
  readonly shards: number | 'auto';
  /** Whether SHARDS was set at all (SHARD_IDS needs a total: SHARDS or SHARD_COUNT). */
  readonly shardsSet: boolean;
  /** SHARD_COUNT: the total across every machine, when this one runs only SHARD_IDS. */
  readonly shardCount: number | undefined;
  /** SHARD_IDS as written (spaces removed): the shards this machine runs; src/shard/plan.ts reads it. */
  readonly shardIds: string | undefined;
  /** CLUSTERS: run this machine's shards in that many processes, several shards each. */
  readonly clusters: number | undefined;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(`config: ${message}`);
    this.name = 'ConfigError';
  }
}

/** Parses an environment (process.env after dotenv, or a test's own object). Never echoes a value. */
export function parseConfig(env: Record<string, string | undefined>): Config {
  const blanksRemoved = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v.trim() !== ''));
  const parsed = schema.safeParse(blanksRemoved);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid environment — ${lines.join('; ')} (see .env.example)`);
  }
  const e = parsed.data;
  return Object.freeze({
    // The portal shows the bare token; people sometimes paste "Bot <token>" from an Authorization header.
    token: e.DISCORD_TOKEN?.replace(/^Bot\s+/i, ''),
    apiBase: e.DISCORD_API_BASE.replace(/\/+$/, ''),
    guildId: e.DISCORD_GUILD_ID,
    databasePath: e.DATABASE_PATH === ':memory:' ? e.DATABASE_PATH : path.resolve(e.DATABASE_PATH),
    databaseUrl: e.DATABASE_URL,
    dataDir: path.resolve(e.DATA_DIR),
    logLevel: e.LOG_LEVEL,
    logFormat: e.LOG_FORMAT,
    shards: e.SHARDS === undefined ? 1 : e.SHARDS === 'auto' ? 'auto' : Number(e.SHARDS),
    shardsSet: e.SHARDS !== undefined,
    shardCount: e.SHARD_COUNT === undefined ? undefined : Number(e.SHARD_COUNT),
    shardIds: e.SHARD_IDS,
    clusters: e.CLUSTERS === undefined ? undefined : Number(e.CLUSTERS),
  });
}

export type TokenProblem = 'missing' | 'malformed';

/** Why a token cannot be used, before asking Discord. */
export function tokenProblem(token: string | undefined): TokenProblem | null {
  if (!token) return 'missing';
  return TOKEN_SHAPE.test(token.replace(/^Bot\s+/i, '')) ? null : 'malformed';
}

/** The application id is the first segment of the token, base64-encoded. */
export function applicationIdFromToken(token: string): string | null {
  const first = token.replace(/^Bot\s+/i, '').split('.')[0] ?? '';
  try {
    const id = Buffer.from(first, 'base64').toString('utf8');
    return /^\d{17,20}$/.test(id) ? id : null;
  } catch {
    return null;
  }
}

/** What to tell a person whose token is missing, malformed or refused. One paragraph, no token in it. */
export function tokenAdvice(problem: TokenProblem | 'refused'): string {
  const what =
    problem === 'missing'
      ? 'No DISCORD_TOKEN is set.'
      : problem === 'malformed'
        ? 'DISCORD_TOKEN does not look like a Discord bot token.'
        : 'Discord refused DISCORD_TOKEN (it may have been reset or revoked).';
  return `${what} Copy .env.example to .env and set DISCORD_TOKEN to your bot's token (Discord Developer Portal → your application → Bot → Reset Token; the README's "Running the bot" section walks through creating the application). To try the bot without Discord, run: npm run console`;
}
