/** Parses a command's input with its schema; a mismatch is a 400 that names every bad field. */
import type { z } from 'zod';
import { BadRequest } from '../errors';

export function parseInput<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const fields = Object.fromEntries(parsed.error.issues.map((i) => [i.path.join('.') || what, i.message]));
  const summary = Object.entries(fields).map(([field, problem]) => `${field}: ${problem}`).join('; ');
  throw new BadRequest(`Invalid ${what}: ${summary}`, { fields });
}
