/** Parses a request part with a zod schema; a failure is a 400 listing the fields, and nothing runs. */
import type { z } from 'zod';
import { BadRequest } from '../errors';

export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown, what = 'request'): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const fields: Record<string, string> = {};
  for (const issue of result.error.issues) fields[issue.path.join('.') || what] ??= issue.message;
  throw new BadRequest(`Invalid ${what}: ${Object.keys(fields).join(', ')}`, { fields });
}
