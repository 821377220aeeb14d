/**
 * The shape every CLI command has: its flags as a zod object (each key is a `--flag` taking a value),
 * a run function, and how to print its result for people. main.ts adds `--json` to every command.
 */
import type { z } from 'zod';
import type { Config } from '../config';
import { systemActor } from '../domain/audit/actor';

/** Actions taken from the CLI are audited under this name. */
export const CLI_ACTOR = systemActor('cli');

/** A wrong or missing flag, an unknown command: the caller's mistake, exit code 2. */
export class UsageError extends Error {}

export type CommandContext = { config: Config };

export type CommandOutput = { json: object; text: string; exitCode: number };

export type CliCommand = {
  summary: string;
  /** The flags part of the usage line, e.g. `--email E [--locale de|en]`. */
  usage: string;
  flagNames: string[];
  /** Flags that may be given several times (`--search a --search b`); they arrive as arrays. */
  repeatable: string[];
  execute(flags: Record<string, string | string[] | undefined>, ctx: CommandContext): Promise<CommandOutput>;
};

type CommandSpec<F extends z.ZodObject, R extends object> = {
  summary: string;
  usage: string;
  flags: F;
  repeatable?: string[];
  run(flags: z.output<F>, ctx: CommandContext): Promise<R>;
  /** The human-readable output. */
  describe(result: R): string;
  /** Non-zero when the result itself is a failure (e.g. a broken audit chain). */
  exitCode?(result: R): number;
};

export function defineCommand<F extends z.ZodObject, R extends object>(spec: CommandSpec<F, R>): CliCommand {
  return {
    summary: spec.summary,
    usage: spec.usage,
    flagNames: Object.keys(spec.flags.shape),
    repeatable: spec.repeatable ?? [],
    async execute(flags, ctx) {
      const result = await spec.run(parseFlags(spec.flags, flags), ctx);
      return { json: result, text: spec.describe(result), exitCode: spec.exitCode?.(result) ?? 0 };
    },
  };
}

function parseFlags<F extends z.ZodObject>(schema: F, flags: Record<string, string | string[] | undefined>): z.output<F> {
  const parsed = schema.safeParse(flags);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const flag = String(issue.path[0] ?? '');
    return flags[flag] === undefined ? `--${flag} is required` : `--${flag}: ${issue.message}`;
  });
  throw new UsageError(problems.join('; '));
}
