/**
 * Structured logs with pino: object first, message second. Pretty in a
 * terminal, JSON otherwise. Secrets never reach a line: the bot token by path
 * and by shape, interaction tokens (they sit in webhook and callback URLs of
 * Discord errors, and let anyone answer as the bot for 15 minutes) by shape.
 */
import pino, { type Logger } from 'pino';
import type { Config } from './config.js';

export type { Logger };

const SECRETS: readonly [RegExp, string][] = [
  [/[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{20,}/g, '[redacted]'],
  [/(\/webhooks\/\d+\/)[^/?\s"']+/g, '$1[redacted]'],
  [/(\/interactions\/\d+\/)[^/?\s"']+/g, '$1[redacted]'],
  [/("token"\s*:\s*")[^"]+/g, '$1[redacted]'],
];

/** Removes anything shaped like a bot token or an interaction token from a string. */
export function redact(text: string): string {
  return SECRETS.reduce((s, [re, to]) => s.replace(re, to), text);
}

/** Redacts every string inside a value (an error's url, request body, stack…), leaving its shape. */
function redactDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redact(value);
  // Errors keep their class for pino's err serializer, which redacts what it extracts.
  if (depth > 5 || value === null || typeof value !== 'object' || value instanceof Error) return value;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, SECRET_KEYS.test(k) && typeof v === 'string' ? '[redacted]' : redactDeep(v, depth + 1)]));
}

const SECRET_KEYS = /^(?:token|authorization)$/i;

export function createLogger(config: Pick<Config, 'logLevel' | 'logFormat'>, destination?: pino.DestinationStream): Logger {
  const pretty = config.logFormat === 'pretty' || (config.logFormat === 'auto' && process.stdout.isTTY === true && !destination);
  return pino(
    {
      level: config.logLevel,
      base: undefined,
      redact: { paths: ['token', '*.token', 'headers.authorization', '*.headers.authorization', 'config.token'], censor: '[redacted]' },
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map((a) => redactDeep(a)) as Parameters<typeof method>);
        },
      },
      serializers: {
        err: (e: unknown) => redactDeep(pino.stdSerializers.err(e as Error)) as ReturnType<typeof pino.stdSerializers.err>,
      },
      ...(pretty ? { transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' } } } : {}),
    },
    destination,
  );
}
