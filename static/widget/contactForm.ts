/**
 * The visitor's form before a chat (pre-chat) and instead of one (offline: a case answered by e-mail): name and
 * e-mail as the site configured them, the message, and the site's consent text as a required checkbox.
 * Checked here before sending (messages in the page's language, linked to their field, focus on the first
 * problem), and again by the server.
 */
import { ApiError, type PrechatField } from './api';
import { type FieldCheck, field, h, reportProblems } from './dom';
import type { TextKey } from './texts';

type T = (key: TextKey, values?: Record<string, string | number>) => string;
export type ContactValues = { name?: string; email?: string; text: string };

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function contactForm(
  t: T,
  options: { id: string; intro: string; name: PrechatField; email: PrechatField; consent: string; submit: string; email0?: string },
  onSubmit: (values: ContactValues) => Promise<void>,
): HTMLFormElement {
  const checks: FieldCheck<TextKey>[] = [];
  const parts: Node[] = [h('p', {}, options.intro)];

  const add = (key: string, label: string, input: HTMLInputElement | HTMLTextAreaElement, problem: (value: string) => TextKey | null) => {
    const [wrap] = field(`${options.id}-${key}`, label, input);
    const error = h('p', { class: 'error', id: `${options.id}-${key}-error` });
    input.setAttribute('aria-describedby', error.id);
    wrap.append(error);
    parts.push(wrap);
    checks.push({ input, error, problem: () => problem(input.type === 'checkbox' ? String((input as HTMLInputElement).checked) : input.value.trim()) });
    return input;
  };
  const person = (rule: PrechatField, key: 'name' | 'email', input: HTMLInputElement) =>
    rule === 'off'
      ? null
      : add(key, rule === 'required' ? t(key) : `${t(key)} ${t('optional')}`, input, (v) =>
          rule === 'required' && !v ? 'required' : key === 'email' && v && !EMAIL.test(v) ? 'badEmail' : null,
        );

  const name = person(options.name, 'name', h('input', { type: 'text', autocomplete: 'name', maxlength: '100', required: options.name === 'required' }));
  const email = person(
    options.email,
    'email',
    h('input', { type: 'email', autocomplete: 'email', maxlength: '254', required: options.email === 'required', value: options.email0 }),
  );
  const text = add('text', t('message'), h('textarea', { rows: '3', maxlength: '2000', required: true }), (v) => (v ? null : 'required'));

  const consent = h('input', { type: 'checkbox', id: `${options.id}-consent`, required: true, 'aria-describedby': `${options.id}-consent-error` });
  const consentError = h('p', { class: 'error', id: `${options.id}-consent-error` });
  parts.push(h('div', { class: 'check' }, consent, h('label', { for: consent.id }, options.consent)), consentError);
  checks.push({ input: consent, error: consentError, problem: () => (consent.checked ? null : 'needConsent') });

  const failure = h('p', { class: 'error', role: 'alert' });
  const button = h('button', { type: 'submit', class: 'primary' }, options.submit);
  const form = h('form', { novalidate: true }, ...parts, failure, h('div', { class: 'row' }, button));

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    failure.textContent = '';
    if (reportProblems(checks, t)) return;
    button.disabled = true;
    try {
      await onSubmit({ name: name?.value.trim() || undefined, email: email?.value.trim() || undefined, text: text.value.trim() });
    } catch (err) {
      failure.textContent = (err instanceof ApiError && err.message) || t('failed');
    } finally {
      button.disabled = false;
    }
  });
  return form;
}
