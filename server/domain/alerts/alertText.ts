/** What an alert says, in the reader's language: a title and one line (console, e-mail subject and body, push). */
import type { Locale } from '../../db/schema';
import { formatDateTime, formatNumber, type Translate } from '../../i18n/translate';
import type { FailureReason } from './channelFailureVerdict';

type Alert = { kind: string; details: Record<string, string | number | null>; occurrences: number };
type Vars = Record<string, string | number>;

/** A failing channel: one sentence per reason it fails. */
function channelFailureBody(t: Translate, vars: Vars, reasons: FailureReason[]) {
  return reasons
    .map((r) => {
      if (r === 'silent') return t('alerts.channel_failure.silent', vars);
      if (r === 'sending') return t('alerts.channel_failure.sending', vars);
      return vars.errorKind === 'auth' ? t('alerts.channel_failure.credentials', vars) : t('alerts.channel_failure.polling', vars);
    })
    .join(' ');
}

function textOf(t: Translate, kind: string, vars: Vars, d: Alert['details']): { title: string; body: string } {
  switch (kind) {
    case 'volume_spike':
      return { title: t('alerts.volume_spike.title', vars), body: t('alerts.volume_spike.body', vars) };
    case 'negative_dip':
      return { title: t('alerts.negative_dip.title', vars), body: t('alerts.negative_dip.body', vars) };
    case 'channel_failure':
      return { title: t('alerts.channel_failure.title', vars), body: channelFailureBody(t, vars, String(d.reasons ?? '').split(',') as FailureReason[]) };
    case 'audit_break':
      return { title: t('alerts.audit_break.title', vars), body: t('alerts.audit_break.body', vars) };
    case 'sla_breach':
      return { title: t('alerts.sla_breach.title', vars), body: t('alerts.sla_breach.body', vars) };
    default:
      return { title: t('alerts.sla_warning.title', vars), body: t('alerts.sla_warning.body', vars) };
  }
}

export function alertText(t: Translate, locale: Locale, a: Alert): { title: string; body: string } {
  const d = a.details;
  // numbers in the reader's notation (66,7 in German)
  const vars = Object.fromEntries(Object.entries(d).map(([k, v]) => [k, typeof v === 'number' ? formatNumber(locale, v) : (v ?? '')])) as Vars;
  if (typeof d.dueAt === 'string') vars.dueAt = formatDateTime(locale, new Date(d.dueAt));
  const repeats = a.occurrences > 1 ? ` ${t('alerts.repeats', { n: a.occurrences })}` : '';
  const text = textOf(t, a.kind, vars, d);
  return { title: text.title, body: text.body + repeats };
}
