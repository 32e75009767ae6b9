import { type DestinationStream, type Logger, pino } from 'pino';
import { errorDetails } from './shared/error-details.js';

/**
 * Structured JSON logs. Credentials are redacted wherever they could appear; an error is logged with
 * the database's own reason, and the parameters of a failed statement only in development.
 */
export function createLogger(level: string, development = process.env.NODE_ENV === 'development' || !process.env.NODE_ENV, destination?: DestinationStream): Logger {
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
  return destination ? pino(options, destination) : pino(options);
}
