/**
 * What is wrong with a form, per field, in the user's language: zod issues (from validate) and the field
 * codes the domain's commands attach to their 4xx errors (`{ fields: { shortcut: 'taken' } }`).
 */
import type { z } from 'zod';
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
  invalid: 'form.field.invalid',
  'only with status saved': 'form.field.onlySaved',
  'only with status closed': 'form.field.onlyClosed',
  'not supported': 'form.field.notSupported',
  'max 100': 'form.field.max100',
  'unknown calendar': 'form.field.unknown',
  'unknown SLA policy': 'form.field.unknown',
  'messaging window closed': 'meta.window.closed',
  'private reply window closed': 'meta.privateReply.closed',
};

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

/** The domain's field codes as messages; a problem the domain words itself (e.g. a calendar's overlap) is kept as worded. */
export function localizeFieldCodes(fields: Record<string, unknown>, t: Translate): FieldErrors {
  return Object.fromEntries(
    Object.entries(fields).map(([field, code]) => {
      const key = typeof code === 'string' ? FIELD_CODES[code] : undefined;
      return [field, key ? t(key) : String(code)];
    }),
  );
}
