/** Structured logs. Secrets and message bodies are redacted wherever they appear. */
import pino from 'pino';

export const REDACTED_PATHS = [
  'password', '*.password', 'token', '*.token', 'authorization', '*.authorization',
  'req.headers.authorization', 'req.headers.cookie', 'headers.authorization', 'headers.cookie',
  'text', '*.text', 'body', '*.body', 'credentials', '*.credentials', 'secret', '*.secret',
];

export type Logger = pino.Logger;

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, destination);
}
