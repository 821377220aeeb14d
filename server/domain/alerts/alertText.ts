/** What an alert says, in the reader's language: a title and one line (console, e-mail subject and body, push). */
import type { Locale } from '../../db/schema';
import { formatDateTime, type Translate } from '../../i18n/translate';

type Alert = { kind: string; details: Record<string, string | number | null>; occurrences: number };

export function alertText(t: Translate, locale: Locale, a: Alert): { title: string; body: string } {
  const d = a.details;
  const vars = Object.fromEntries(Object.entries(d).map(([k, v]) => [k, v ?? ''])) as Record<string, string | number>;
  if (typeof d.dueAt === 'string') vars.dueAt = formatDateTime(locale, new Date(d.dueAt));
  const repeats = a.occurrences > 1 ? ` ${t('alerts.repeats', { n: a.occurrences })}` : '';
  switch (a.kind) {
    case 'volume_spike':
      return { title: t('alerts.volume_spike.title', vars), body: t('alerts.volume_spike.body', vars) + repeats };
    case 'sla_breach':
      return { title: t('alerts.sla_breach.title', vars), body: t('alerts.sla_breach.body', vars) + repeats };
    default:
      return { title: t('alerts.sla_warning.title', vars), body: t('alerts.sla_warning.body', vars) + repeats };
  }
}
