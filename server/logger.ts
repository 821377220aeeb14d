/** Structured logs. Secrets and message bodies are redacted wherever they appear. */
import pino from 'pino';

export const REDACTED_PATHS = [
  'password',
  '*.password',
  'token',
  '*.token',
  'authorization',
  '*.authorization',
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'headers.cookie',
  'text',
  '*.text',
  'body',
  '*.body',
  'credentials',
  '*.credentials',
  'secret',
  '*.secret',
];

export type Logger = pino.Logger;

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, destination);
}

/** The logger of one BullMQ job run: every line names the job (`{ jobId, job }`), so one run's lines can be followed. */
export function jobLogger(logger: Logger, job: { id?: string | undefined; name: string }): Logger {
  return logger.child({ jobId: job.id, job: job.name });
}
