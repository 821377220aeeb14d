/** Parses a command's input with its schema; a mismatch is a 400 that names every bad field. */
import type { z } from 'zod';
import { BadRequest } from '../errors';

export function parseInput<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw invalidInput(parsed.error, what);
}

/** The 400 for a failed parse: `Invalid <what>: field: problem; …`, with the problems per field in `fields`. */
export function invalidInput(error: z.ZodError, what: string): BadRequest {
  const fields = Object.fromEntries(error.issues.map((i) => [i.path.join('.') || what, i.message]));
  const summary = Object.entries(fields)
    .map(([field, problem]) => `${field}: ${problem}`)
    .join('; ');
  return new BadRequest(`Invalid ${what}: ${summary}`, { fields });
}
