/**
 * Sends an alert's pending e-mails (SMTP settings of the console) and Web Push messages (VAPID keys, one
 * message per subscribed browser of the person; RFC 8291 encryption by web-push). Every outbound
 * connection goes through the outbound-target guard. Each delivery is marked sent or failed with the
 * reason; a push service answering 404/410 means the browser unsubscribed, so the subscription goes.
 */
import webpush from 'web-push';
import type { Db } from '../../db/client';
import { deletePushSubscription, findAlert, findAlertSettings, markDelivery, pendingDeliveries, pushSubscriptionsOf } from '../../db/repositories/alerts.repo';
import type { SecretBox } from '../../crypto/secretBox';
import { translator } from '../../i18n/translate';
import { outbound } from '../../net/outboundTarget';
import { sendConsoleMail } from './alertMail';
import { alertText } from './alertText';

export type AlertDeliveryDeps = { db: Db; secretBox: SecretBox; baseUrl: string };

const PUSH_TTL_SECONDS = 3600;

export async function deliverAlert(deps: AlertDeliveryDeps, alertId: string) {
  const alert = await findAlert(deps.db, alertId);
  if (!alert) return 'gone';
  const pending = await pendingDeliveries(deps.db, alertId);
  if (pending.length === 0) return 'nothing';
  const settings = await findAlertSettings(deps.db);
  const link = new URL(alert.link, deps.baseUrl).toString();
  for (const d of pending) {
    const t = translator(d.locale);
    const text = alertText(t, d.locale, alert);
    const key = { alertId, userId: d.userId, channel: d.channel };
    try {
      if (d.channel === 'email') await sendConsoleMail(deps.secretBox, settings, { to: d.email, subject: text.title, text: `${text.body}\n\n${link}\n` });
      if (d.channel === 'push') await sendPush(deps, settings, d.userId, { ...text, url: link, alertId });
      await markDelivery(deps.db, key, null);
    } catch (err) {
      await markDelivery(deps.db, key, err instanceof Error ? err.message.slice(0, 500) : 'failed');
    }
  }
  return 'sent';
}

type Settings = Awaited<ReturnType<typeof findAlertSettings>>;

async function sendPush(deps: AlertDeliveryDeps, s: Settings, userId: string, payload: { title: string; body: string; url: string; alertId: string }) {
  if (!s?.vapidPublicKey || !s.vapidPrivateEnc || !s.vapidSubject) throw new Error('no VAPID keys are set up for Web Push');
  const subscriptions = await pushSubscriptionsOf(deps.db, [userId]);
  if (subscriptions.length === 0) throw new Error('the person has no browser subscribed to Web Push');
  const vapidDetails = { subject: s.vapidSubject, publicKey: s.vapidPublicKey, privateKey: deps.secretBox.open(s.vapidPrivateEnc) };
  const failures: string[] = [];
  for (const sub of subscriptions) {
    const request = webpush.generateRequestDetails({ endpoint: sub.endpoint, keys: { p256dh: sub.p256dh, auth: sub.auth } }, JSON.stringify(payload), {
      vapidDetails,
      TTL: PUSH_TTL_SECONDS,
      urgency: 'high',
    });
    const res = await outbound().request(request.endpoint, {
      method: request.method,
      headers: Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k, String(v)])),
      body: request.body,
      timeoutMs: 15_000,
    });
    if (res.status === 404 || res.status === 410) await deletePushSubscription(deps.db, sub.id);
    else if (res.status >= 300) failures.push(`push service answered ${res.status}`);
  }
  if (failures.length === subscriptions.length) throw new Error(failures.join('; '));
}
