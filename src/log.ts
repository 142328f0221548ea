/**
 * Structured logs with pino: object first, message second. Pretty in a
 * terminal, JSON lines otherwise. Secrets are redacted by path and by shape.
 */
import pino, { type Logger } from 'pino';
import type { Config } from './config.js';

export type { Logger };

const TOKEN_LIKE = /[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{20,}/g;

export function createLogger(config: Pick<Config, 'logLevel' | 'logFormat'>, destination?: pino.DestinationStream): Logger {
  const pretty = config.logFormat === 'pretty' || (config.logFormat === 'auto' && process.stdout.isTTY === true && !destination);
  return pino(
    {
      level: config.logLevel,
      base: undefined,
      redact: { paths: ['token', '*.token', 'headers.authorization', '*.headers.authorization', 'config.token'], censor: '[redacted]' },
      hooks: {
        // A token pasted into an error message or a URL is removed wherever it appears.
        logMethod(args, method) {
          method.apply(
            this,
            args.map((a) => (typeof a === 'string' ? a.replace(TOKEN_LIKE, '[redacted]') : a)) as Parameters<typeof method>,
          );
        },
      },
      serializers: {
        err: (e: unknown) => {
          const s = pino.stdSerializers.err(e as Error);
          return { ...s, message: String(s.message ?? '').replace(TOKEN_LIKE, '[redacted]'), stack: String(s.stack ?? '').replace(TOKEN_LIKE, '[redacted]') };
        },
      },
      ...(pretty ? { transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' } } } : {}),
    },
    destination,
  );
}
