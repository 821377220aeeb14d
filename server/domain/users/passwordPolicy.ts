/**
 * What a new password must be: at least MIN_PASSWORD_LENGTH characters and not a common password.
 * Common means: on the list in common-passwords.txt (case-insensitive), also once leading and trailing
 * digits and symbols are removed (`Password2026!`), a keyboard or alphabet run (`qwertyuiop123`,
 * `123456789012`), or one short or common chunk repeated (`iloveyouiloveyou`, `abcabcabcabc`).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 200;

export type PasswordProblem = 'tooShort' | 'tooLong' | 'common';

export const PASSWORD_PROBLEM_MESSAGES: Record<PasswordProblem, string> = {
  tooShort: `must be at least ${MIN_PASSWORD_LENGTH} characters long`,
  tooLong: `must be at most ${MAX_PASSWORD_LENGTH} characters long`,
  common: 'is one of the most common passwords (or one with digits or symbols added); choose another',
};

let common: Set<string> | undefined;
function commonPasswords(): Set<string> {
  common ??= new Set(
    readFileSync(path.join(__dirname, 'common-passwords.txt'), 'utf8')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#')),
  );
  return common;
}

/** Runs people type instead of a password; each is also checked backwards. */
const RUNS = [
  '0123456789'.repeat(4),
  'abcdefghijklmnopqrstuvwxyz',
  'qwertyuiopasdfghjklzxcvbnm',
  'qwertzuiopasdfghjklyxcvbnm',
  'azertyuiopqsdfghjklmwxcvbn',
  '1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p',
  'zaq12wsxcde34rfvbgt56yhnmju78ik9ol0p',
].flatMap((run) => [run, [...run].reverse().join('')]);

export function passwordProblem(password: string): PasswordProblem | null {
  const length = [...password].length;
  if (length < MIN_PASSWORD_LENGTH) return 'tooShort';
  if (length > MAX_PASSWORD_LENGTH) return 'tooLong';
  const lower = password.toLowerCase();
  const core = lower.replace(/^[^\p{L}]+|[^\p{L}]+$/gu, '');
  const list = commonPasswords();
  const isCommon = (s: string) => list.has(s) || (s.length >= 4 && RUNS.some((run) => run.includes(s))) || isRepeated(s, list);
  return isCommon(lower) || (core !== '' && isCommon(core)) ? 'common' : null;
}

/** The text is one chunk said again and again, and that chunk is short or itself common. */
function isRepeated(s: string, list: Set<string>): boolean {
  for (let size = 1; size <= s.length / 2; size += 1) {
    if (s.length % size !== 0) continue;
    const unit = s.slice(0, size);
    if (unit.repeat(s.length / size) === s && (size <= 3 || list.has(unit))) return true;
  }
  return false;
}

/** The zod field for a new password: its message names the rule that was broken. */
export const newPasswordSchema = z.string().superRefine((password, ctx) => {
  const problem = passwordProblem(password);
  if (problem) ctx.addIssue({ code: 'custom', message: PASSWORD_PROBLEM_MESSAGES[problem], params: { problem } });
});
