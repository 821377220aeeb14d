/**
 * "Rückruf anfordern": the offline path's alternative to the e-mail form. The visitor leaves a phone number (with
 * its country code), a name, a day within the site's next 14 days and a from/to time in the site's time zone
 * (named under the times), and agrees to the site's privacy text. Checked here before sending (messages linked
 * to their field, focus on the first problem) and again by the server, whose refusal (e.g. "the earliest we can
 * call is …") is shown as it comes, in the visitor's language.
 */
import { type Api, ApiError } from './api';
import { type FieldCheck, field, h, reportProblems } from './dom';
import type { Lang } from './texts';

const de = {
  offer: 'Rückruf anfordern',
  intro: 'Wir rufen Sie zurück – nennen Sie uns Ihre Nummer und wann es Ihnen passt.',
  phone: 'Telefonnummer (mit Ländervorwahl)',
  name: 'Name',
  date: 'Tag',
  from: 'Von',
  to: 'Bis',
  zone: 'Uhrzeiten in {zone}',
  submit: 'Rückruf anfordern',
  back: 'Lieber eine Nachricht schreiben',
  sent: 'Danke! Wir rufen Sie am {date} zwischen {from} und {to} Uhr an (Fall #{case}).',
  required: 'Bitte füllen Sie dieses Feld aus.',
  badPhone: 'Bitte geben Sie die Nummer mit Ländervorwahl an, z. B. +49 170 1234567.',
  badOrder: 'Das Ende muss nach dem Beginn liegen.',
  needConsent: 'Bitte stimmen Sie der Verarbeitung zu.',
  failed: 'Das hat nicht geklappt. Bitte versuchen Sie es noch einmal.',
  consent:
    'Ich willige ein, dass meine Telefonnummer, mein Name und mein Wunschzeitraum gespeichert werden, damit Sie mich zurückrufen können. Die Einwilligung kann ich jederzeit widerrufen; mehr in der Datenschutzerklärung.',
};
type CallbackTexts = typeof de;
const en: CallbackTexts = {
  offer: 'Request a callback',
  intro: 'We will call you back – tell us your number and when suits you.',
  phone: 'Phone number (with country code)',
  name: 'Name',
  date: 'Day',
  from: 'From',
  to: 'To',
  zone: 'Times in {zone}',
  submit: 'Request a callback',
  back: 'Write a message instead',
  sent: 'Thank you! We will call you on {date} between {from} and {to} (case #{case}).',
  required: 'Please fill in this field.',
  badPhone: 'Please enter the number with its country code, e.g. +44 20 7946 0958.',
  badOrder: 'The end must be after the start.',
  needConsent: 'Please agree to the processing.',
  failed: 'That did not work. Please try again.',
  consent:
    'I agree that my phone number, my name and the time I asked for are stored so that you can call me back. I can withdraw this consent at any time; more in the privacy policy.',
};

const PHONE = /^(\+|00)[\d\s\-/.()]{8,30}$/;

export function callbackTexts(lang: Lang) {
  const table = lang === 'en' ? en : de;
  return (key: keyof CallbackTexts, values: Record<string, string> = {}) => table[key].replace(/\{(\w+)\}/g, (_, name: string) => values[name] ?? '');
}

/** The callback form, with a consent that names what a callback stores (the number, not an e-mail address); `back` returns to the e-mail form, `done` gets the confirmation to show. */
export function callbackForm(api: Api, lang: Lang, back: () => void, done: (confirmation: string) => void): HTMLFormElement {
  const t = callbackTexts(lang);
  const checks: FieldCheck<keyof CallbackTexts>[] = [];
  const input = (key: string, attrs: Record<string, string | boolean>) => h('input', { required: true, ...attrs, id: `rl-callback-${key}` });
  const add = (key: string, label: string, el: HTMLInputElement, problem: (v: string) => keyof CallbackTexts | null, hint?: HTMLElement) => {
    const [wrap] = field(`rl-callback-${key}`, label, el);
    const error = h('p', { class: 'error', id: `rl-callback-${key}-error` });
    el.setAttribute('aria-describedby', [error.id, hint?.id].filter(Boolean).join(' '));
    wrap.append(...(hint ? [hint] : []), error);
    checks.push({ input: el, error, problem: () => problem(el.value.trim()) });
    return wrap;
  };
  const need = (v: string) => (v ? null : 'required');

  const phone = input('phone', { type: 'tel', autocomplete: 'tel', inputmode: 'tel', maxlength: '32', placeholder: '+49 …' });
  const name = input('name', { type: 'text', autocomplete: 'name', maxlength: '100' });
  const date = input('date', { type: 'date' });
  const from = input('from', { type: 'time', step: '300' });
  const to = input('to', { type: 'time', step: '300' });
  const zone = h('p', { class: 'hint', id: 'rl-callback-zone' });
  const consent = h('input', { type: 'checkbox', id: 'rl-callback-consent', required: true, 'aria-describedby': 'rl-callback-consent-error' });
  const consentError = h('p', { class: 'error', id: 'rl-callback-consent-error' });
  checks.push({ input: consent, error: consentError, problem: () => (consent.checked ? null : 'needConsent') });

  const failure = h('p', { class: 'error', role: 'alert' });
  const button = h('button', { type: 'submit', class: 'primary' }, t('submit'));
  const backButton = h('button', { type: 'button', class: 'link' }, t('back'));
  backButton.addEventListener('click', back);
  const form = h(
    'form',
    { novalidate: true, 'aria-labelledby': 'rl-callback-title' },
    h('h3', { id: 'rl-callback-title', class: 'sub' }, t('offer')),
    h('p', {}, t('intro')),
    add('phone', t('phone'), phone, (v) => (!v ? 'required' : PHONE.test(v) ? null : 'badPhone')),
    add('name', t('name'), name, need),
    add('date', t('date'), date, need),
    h(
      'div',
      { class: 'pair' },
      add('from', t('from'), from, need, zone),
      add('to', t('to'), to, (v) => (!v ? 'required' : from.value && v <= from.value ? 'badOrder' : null)),
    ),
    h('div', { class: 'check' }, consent, h('label', { for: consent.id }, t('consent'))),
    consentError,
    failure,
    h('div', { class: 'row' }, button, backButton),
  );

  // a field the visitor corrects loses its message at once
  for (const check of checks) {
    check.input.addEventListener('input', () => {
      check.error.textContent = '';
      check.input.removeAttribute('aria-invalid');
    });
  }

  // the site's zone and the days it takes; without them the server still checks every date
  void api
    .callbackOptions()
    .then((o) => {
      zone.textContent = t('zone', { zone: o.timeZone });
      date.min = o.firstDay;
      date.max = o.lastDay;
      if (!date.value) date.value = o.firstDay;
    })
    .catch(() => undefined);

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    failure.textContent = '';
    if (reportProblems(checks, t)) return;
    button.disabled = true;
    try {
      const made = await api.callback({ phone: phone.value.trim(), name: name.value.trim(), date: date.value, from: from.value, to: to.value, consent: true });
      done(
        t('sent', {
          date: new Date(`${date.value}T12:00:00Z`).toLocaleDateString(lang, { timeZone: 'UTC' }),
          from: from.value,
          to: to.value,
          case: made.caseNumber,
        }),
      );
    } catch (err) {
      failure.textContent = (err instanceof ApiError && err.message) || t('failed');
    } finally {
      button.disabled = false;
    }
  });
  return form;
}
