/**
 * The router's reason in words, in the reader's language: "Routing: Deutsch + Thema Lieferung, geringste
 * Auslastung (2/5)". The stored reason is structured (domain/routing/chooseAgent.ts RoutingReason, or a
 * hand-back); this is the only place that turns it into text.
 */
import type { Locale } from '../db/schema';
import type { MessageKey } from '../i18n/messages';
import type { Translate } from '../i18n/translate';

type StoredReason = {
  rule?: string;
  matched?: { kind: string; value: string }[];
  load?: number;
  capacity?: number;
  absence?: string;
};

const RULES: Record<string, MessageKey> = {
  least_loaded: 'routing.rule.leastLoaded',
  last_agent: 'routing.rule.lastAgent',
  pull: 'routing.rule.pull',
  not_opened: 'routing.rule.notOpened',
  back_to_queue: 'routing.rule.backToQueue',
  absence_queue: 'routing.rule.absenceQueue',
  absence_deputy: 'routing.rule.absenceDeputy',
};
const SKILLS: Record<string, MessageKey> = {
  topic: 'routing.skill.topic',
  channel: 'routing.skill.channel',
  region: 'routing.skill.region',
};
const ABSENCES: Record<string, MessageKey> = { vacation: 'absence.reason.vacation', sick: 'absence.reason.sick', other: 'absence.reason.other' };

function languageName(code: string, locale: Locale): string {
  try {
    return new Intl.DisplayNames([locale], { type: 'language' }).of(code) ?? code;
  } catch {
    return code;
  }
}

export function routingReasonText(stored: unknown, t: Translate, locale: Locale): string | null {
  if (!stored || typeof stored !== 'object') return null;
  const r = stored as StoredReason;
  const rule = r.rule ? RULES[r.rule] : undefined;
  if (!rule) return null;
  const skills = (r.matched ?? []).map((m) =>
    m.kind === 'language' ? languageName(m.value, locale) : SKILLS[m.kind] ? t(SKILLS[m.kind]!, { value: m.value }) : m.value,
  );
  const why = t(rule, { load: r.load ?? 0, capacity: r.capacity ?? 0, absence: r.absence && ABSENCES[r.absence] ? t(ABSENCES[r.absence]!) : '' });
  return t('routing.reason', { why: skills.length ? `${skills.join(' + ')}, ${why}` : why });
}
