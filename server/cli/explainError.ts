/** Turns whatever a command threw into one clear sentence and an exit code (2: wrong usage, 1: the rest). */
import { ConfigError } from '../config';
import { HttpError } from '../errors';
import { UsageError } from './command';

const MIGRATE_HINT = 'run `npm run cli -- db:migrate` first';

export function explainError(err: unknown): { message: string; exitCode: number } {
  if (err instanceof UsageError || isParseArgsError(err)) return { message: err.message, exitCode: 2 };
  if (err instanceof HttpError || err instanceof ConfigError) return { message: err.message, exitCode: 1 };
  const e = err as { code?: string; message?: string; address?: string; port?: number };
  if (e.code === '3D000') return { message: `${e.message}: ${MIGRATE_HINT}`, exitCode: 1 };
  if (e.code === '42P01') return { message: `The database has no tables yet (${e.message}): ${MIGRATE_HINT}`, exitCode: 1 };
  if (e.code === 'ECONNREFUSED') {
    return { message: `Cannot reach PostgreSQL${e.address ? ` at ${e.address}:${e.port}` : ''}: is it running, and is DATABASE_URL right?`, exitCode: 1 };
  }
  return { message: e.message ?? String(err), exitCode: 1 };
}

/** node:util parseArgs throws TypeErrors with codes such as ERR_PARSE_ARGS_UNKNOWN_OPTION. */
function isParseArgsError(err: unknown): err is Error {
  return err instanceof TypeError && String((err as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS');
}
