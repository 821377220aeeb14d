/**
 * A refused form, for the views: its message, each field's problem and what the user had typed, asked for by
 * the form's key (`forms.error('note')`, `forms.field('note', 'text')`, `forms.value('note', 'text', '')`).
 */
import type { FieldErrors } from '../i18n/formErrors';

export type FormProblem = { form: string; message: string; fields: FieldErrors; values: Record<string, unknown> };

const attr = (s: string) => s.replace(/[^\w-]/g, '_');

export function formView(problem: FormProblem | null) {
  const of = (form: string) => (problem && problem.form === form ? problem : null);
  return {
    error: (form: string): string | null => of(form)?.message ?? null,
    field: (form: string, field: string): string | null => of(form)?.fields[field] ?? null,
    /** The id of a field's message, for aria-describedby. */
    fieldId: (form: string, field: string) => `${attr(form)}-${attr(field)}-error`,
    /** `aria-invalid` and the message's id on a marked field; nothing on the others. */
    invalid: (form: string, field: string) => (of(form)?.fields[field] ? `aria-invalid="true" aria-describedby="${attr(form)}-${attr(field)}-error"` : ''),
    value: <T>(form: string, field: string, fallback: T): unknown => {
      const typed = of(form)?.values[field];
      return typed === undefined ? fallback : typed;
    },
    /** Everything the user had typed into that form, or undefined if it was not the one refused. */
    values: (form: string): Record<string, unknown> | undefined => of(form)?.values,
  };
}
