import { type DestinationStream, type Logger, pino } from 'pino';
import { createRequire } from 'node:module';
import { errorDetails } from '../shared/error-details.js';

function prettyAvailable(): boolean {
  try {
    createRequire(import.meta.url).resolve('pino-pretty');
    return true;
  } catch {
    return false;
  }
}

/**
 * Structured JSON logs. Credentials are redacted wherever they could appear; an error is logged with
 * the database's own reason, and the parameters of a failed statement only in development.
 */
export function createLogger(
  level: string,
  development = process.env.NODE_ENV === 'development' || !process.env.NODE_ENV,
  destination?: DestinationStream,
): Logger {
  const options: pino.LoggerOptions = {
    level,
    serializers: { err: (error: unknown) => errorDetails(error, development) },
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'res.headers["set-cookie"]',
        '*.password',
        '*.newPassword',
        '*.currentPassword',
        '*.refreshToken',
        '*.accessToken',
        '*.token',
        '*.secret',
        'variables',
      ],
      censor: '[redacted]',
    },
  };
  if (destination) return pino(options, destination);
  // A person at a terminal in development reads lines, not JSON (pino-pretty, a development dependency).
  if (development && process.stdout.isTTY && prettyAvailable()) {
    return pino({
      ...options,
      transport: {
        target: 'pino-pretty',
        options: { translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname', singleLine: true },
      },
    });
  }
  return pino(options);
}
