/**
 * Raising an alert, with repeats bundled: while the rule's cooldown runs since people were last told, a
 * repeat of the same finding (same rule, same subject) only counts up the open alert (or is dropped when
 * it was acknowledged); after the cooldown an open alert is told again, an acknowledged one gives way to a
 * new alert. Console notifications are written here, in the caller's transaction; e-mail and Web Push are
 * recorded as pending and sent by the deliver-alert job after commit.
 */
import type { Tx } from '../../db/client';
import { bundleRepeat, insertAlert, insertAlertNotifications, insertDeliveries, lockAlertSubject, lockLatestAlert } from '../../db/repositories/alerts.repo';
import { appendAudit } from '../../db/repositories/audit.repo';
import type { AlertKind, AlertPath } from '../../db/schema';
import { systemActor } from '../audit/actor';
import type { Effects } from '../effects';

const alertActor = systemActor('alerts');

export type Finding = {
  rule: { id: string; kind: AlertKind; channels: AlertPath[]; cooldownMinutes: number };
  subjectKey: string;
  details: Record<string, string | number | null>;
  link: string;
  recipients: string[];
};

export type RaiseOutcome = 'raised' | 'told_again' | 'bundled';

export async function raiseAlert(tx: Tx, effects: Effects, f: Finding, now: Date): Promise<RaiseOutcome> {
  await lockAlertSubject(tx, f.rule.id, f.subjectKey);
  const latest = await lockLatestAlert(tx, f.rule.id, f.subjectKey);
  const cooling = latest !== undefined && now.getTime() - latest.notifiedAt.getTime() < f.rule.cooldownMinutes * 60_000;
  if (latest && (cooling || latest.state === 'open')) {
    const tell = !cooling;
    await bundleRepeat(tx, latest.id, f.details, now, tell);
    if (!tell) return 'bundled';
    await tellPeople(tx, effects, latest.id, f, now);
    return 'told_again';
  }
  const { id } = await insertAlert(tx, { ruleId: f.rule.id, subjectKey: f.subjectKey, details: f.details, link: f.link, at: now });
  await appendAudit(tx, {
    actor: alertActor,
    action: 'alert.raised',
    subjectType: 'alert',
    subjectId: id,
    after: { kind: f.rule.kind, ruleId: f.rule.id, ...f.details },
  });
  await tellPeople(tx, effects, id, f, now);
  return 'raised';
}

async function tellPeople(tx: Tx, effects: Effects, alertId: string, f: Finding, now: Date) {
  const recipients = [...new Set(f.recipients)];
  const rows: { userId: string; channel: AlertPath; sent: boolean }[] = [];
  for (const userId of recipients) for (const channel of f.rule.channels) rows.push({ userId, channel, sent: channel === 'console' });
  await insertDeliveries(tx, alertId, rows);
  if (f.rule.channels.includes('console')) {
    await insertAlertNotifications(tx, alertId, recipients, 'Replyline');
    for (const userId of recipients) effects.publish({ type: 'notification', userId });
  }
  if (f.rule.channels.some((c) => c !== 'console') && recipients.length > 0)
    effects.enqueue({ name: 'deliver-alert', data: { alertId, at: now.toISOString() } });
}
