/**
 * What is wrong with a form, per field, in the user's language: zod issues (from validate) and the field
 * codes the domain's commands attach to their 4xx errors (`{ fields: { shortcut: 'taken' } }`).
 */
import type { z } from 'zod';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from '../domain/users/passwordPolicy';
import type { MessageKey } from './messages';
import type { Translate } from './translate';

export type FieldErrors = Record<string, string>;

/** Fields whose format a generic "not the expected format" would not explain. */
const FORMAT_HINTS: Record<string, MessageKey> = {
  shortcut: 'form.format.shortcut',
  add: 'form.format.tag',
  remove: 'form.format.tag',
  tag: 'form.format.tag',
  template: 'form.field.choose',
};

/** The domain's field codes (see the commands' `fields` details). */
const FIELD_CODES: Record<string, MessageKey> = {
  taken: 'form.field.taken',
  unknown: 'form.field.unknown',
  'in the past': 'form.field.inThePast',
  'too far ahead': 'tasks.dueTooFar',
  'no open time': 'tasks.dueNoOpenTime',
  invalid: 'form.field.invalid',
  'only with status saved': 'form.field.onlySaved',
  'only with status closed': 'form.field.onlyClosed',
  'not supported': 'form.field.notSupported',
  'max 100': 'form.field.max100',
  required: 'form.field.required',
  'unknown calendar': 'form.field.unknown',
  'unknown SLA policy': 'form.field.unknown',
  // user administration: the password policy's problems (passwordPolicy.ts) and the access rules (userAccess.ts)
  tooShort: 'form.password.tooShort',
  tooLong: 'form.password.tooLong',
  common: 'form.password.common',
  mismatch: 'form.field.mismatch',
  'last admin': 'form.field.lastAdmin',
  self: 'form.field.self',
  deactivated: 'form.field.deactivated',
  'messaging window closed': 'meta.window.closed',
  'private reply window closed': 'meta.privateReply.closed',
  'needed for webhook mode (the API key secret, with the other user tokens)': 'channels.error.xWebhookSecret', // connectors/x/setup.ts
};

/** The numbers the password texts name. */
const PASSWORD_LIMITS = { min: MIN_PASSWORD_LENGTH, max: MAX_PASSWORD_LENGTH };

/** A custom rule's own code (`params: { problem }` from the password policy, `params: { code }` elsewhere) as a text. */
function customMessage(issue: z.core.$ZodIssue, t: Translate): string | null {
  const params = (issue as { params?: { problem?: string; code?: string } }).params;
  const key = FIELD_CODES[params?.problem ?? params?.code ?? ''];
  return key ? t(key, PASSWORD_LIMITS) : null;
}

const isBlank = (v: unknown) => v === undefined || v === null || v === '';

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v = input;
  for (const key of path) v = v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[key] : undefined;
  return v;
}

function messageFor(issue: z.core.$ZodIssue, value: unknown, field: string, t: Translate): string {
  switch (issue.code) {
    case 'invalid_type':
      if (isBlank(value)) return t('form.field.required');
      return issue.expected === 'number' || issue.expected === 'int' ? t('form.field.number') : t('form.field.invalid');
    case 'too_small': {
      const min = Number(issue.minimum);
      if (issue.origin === 'string') return min <= 1 ? t('form.field.required') : t('form.field.tooShort', { min });
      return issue.origin === 'array' || issue.origin === 'set' ? t('form.field.tooFew', { min }) : t('form.field.tooSmall', { min });
    }
    case 'too_big': {
      const max = Number(issue.maximum);
      if (issue.origin === 'string') return t('form.field.tooLong', { max });
      return issue.origin === 'array' || issue.origin === 'set' ? t('form.field.tooMany', { max }) : t('form.field.tooBig', { max });
    }
    case 'invalid_value':
      return t('form.field.choose');
    case 'invalid_format': {
      if (issue.format === 'uuid') return t('form.field.choose');
      if (issue.format === 'datetime' || issue.format === 'date') return t('form.field.dateTime');
      const hint = FORMAT_HINTS[field];
      return hint ? t(hint) : t('form.field.format');
    }
    case 'custom':
      return customMessage(issue, t) ?? t('form.field.invalid');
    default:
      return isBlank(value) ? t('form.field.required') : t('form.field.invalid');
  }
}

/** One message per form field (the first problem found); `add.0` is the field `add`. */
export function localizeIssues(issues: readonly z.core.$ZodIssue[], input: unknown, t: Translate): FieldErrors {
  const fields: FieldErrors = {};
  for (const issue of issues) {
    const field = String(issue.path[0] ?? '');
    fields[field] ??= messageFor(issue, valueAt(input, issue.path), field, t);
  }
  return fields;
}

/** One field code as a message: a known code, `max N` (a length limit), or else that the field is not valid. */
function fieldCodeText(code: unknown, t: Translate): string {
  const key = typeof code === 'string' ? FIELD_CODES[code] : undefined;
  if (key) return t(key, PASSWORD_LIMITS);
  const max = typeof code === 'string' ? /^max (\d+)$/.exec(code) : null;
  return max ? t('form.field.tooLong', { max: Number(max[1]) }) : t('form.field.invalid');
}

/** The domain's field codes as messages in the user's language (no English problem text reaches the form). */
export function localizeFieldCodes(fields: Record<string, unknown>, t: Translate): FieldErrors {
  return Object.fromEntries(Object.entries(fields).map(([field, code]) => [field, fieldCodeText(code, t)]));
}
