/**
 * How alerts leave the console: the SMTP server for alert e-mails (its password sealed like channel
 * credentials), the VAPID key pair for Web Push (made once, on first use; the private key sealed), and
 * the browsers people subscribed. Every outbound target passes the outbound-target guard when saved.
 */
import { z } from 'zod';
import webpush from 'web-push';
import type { Db, Tx } from '../../db/client';
import { deletePushSubscriptionOf, findAlertSettings, saveAlertSettings, savePushSubscription } from '../../db/repositories/alerts.repo';
import { appendAudit } from '../../db/repositories/audit.repo';
import type { SecretBox } from '../../crypto/secretBox';
import { BadRequest } from '../../errors';
import { describeRefusal, outbound } from '../../net/outboundTarget';
import type { Actor } from '../audit/actor';
import { parseInput } from '../parseInput';

export const alertSettingsInput = z
  .object({
    smtpHost: z.string().trim().min(1).max(255),
    smtpPort: z.number().int().min(1).max(65535),
    smtpSecure: z.boolean().default(false),
    smtpUser: z.string().max(255).optional(),
    smtpPassword: z.string().max(1000).optional(),
    mailFrom: z.email().max(255),
  })
  .strict();

export async function saveSmtpSettings(tx: Tx, secretBox: SecretBox, raw: z.input<typeof alertSettingsInput>, actor: Actor) {
  const input = parseInput(alertSettingsInput, raw, 'alert settings');
  const refusal = await outbound().refusalFor({ host: input.smtpHost });
  if (refusal) throw new BadRequest(`smtpHost: ${describeRefusal(refusal)}`, { fields: { smtpHost: describeRefusal(refusal) } });
  await saveAlertSettings(tx, {
    smtpHost: input.smtpHost,
    smtpPort: input.smtpPort,
    smtpSecure: input.smtpSecure,
    smtpUser: input.smtpUser || null,
    ...(input.smtpPassword !== undefined ? { smtpPasswordEnc: input.smtpPassword ? secretBox.seal(input.smtpPassword) : null } : {}),
    mailFrom: input.mailFrom,
  });
  // the password is never written to the audit trail
  await appendAudit(tx, {
    actor,
    action: 'alert_settings.updated',
    subjectType: 'alert_settings',
    subjectId: null,
    after: { smtpHost: input.smtpHost, smtpPort: input.smtpPort, smtpSecure: input.smtpSecure, smtpUser: input.smtpUser ?? null, mailFrom: input.mailFrom },
  });
  return { smtpHost: input.smtpHost, smtpPort: input.smtpPort, smtpSecure: input.smtpSecure, smtpUser: input.smtpUser ?? null, mailFrom: input.mailFrom };
}

/** The SMTP settings as the console and the API show them: the password never, only whether one is set. */
export async function smtpSettingsView(db: Db) {
  const s = await findAlertSettings(db);
  return {
    smtpHost: s?.smtpHost ?? null,
    smtpPort: s?.smtpPort ?? null,
    smtpSecure: s?.smtpSecure ?? false,
    smtpUser: s?.smtpUser ?? null,
    mailFrom: s?.mailFrom ?? null,
    passwordSet: Boolean(s?.smtpPasswordEnc),
  };
}

/** The public VAPID key browsers subscribe with; the pair is made the first time anyone asks (contact: alerts@ the console's host). */
export async function vapidPublicKey(db: Db, secretBox: SecretBox, baseUrl: string): Promise<string> {
  const subject = `mailto:alerts@${new URL(baseUrl).hostname}`;
  const existing = await findAlertSettings(db);
  if (existing?.vapidPublicKey) return existing.vapidPublicKey;
  const keys = webpush.generateVAPIDKeys();
  await db.transaction().execute(async (tx) => {
    await saveAlertSettings(tx, { vapidPublicKey: keys.publicKey, vapidPrivateEnc: secretBox.seal(keys.privateKey), vapidSubject: subject });
  });
  // two first requests at once: both saved, the last one won; read what is stored
  return (await findAlertSettings(db))!.vapidPublicKey!;
}

const base64url = z.string().regex(/^[A-Za-z0-9_-]+=*$/, 'base64url');
export const pushSubscriptionInput = z.object({
  endpoint: z.url({ protocol: /^https?$/ }).max(2000),
  keys: z.object({ p256dh: base64url.min(80).max(100), auth: base64url.min(16).max(32) }),
});

export async function subscribePush(tx: Tx, raw: z.input<typeof pushSubscriptionInput>, by: { actor: Actor; userId: string }) {
  const input = parseInput(pushSubscriptionInput, raw, 'push subscription');
  const refusal = await outbound().refusalFor({ url: input.endpoint });
  if (refusal) throw new BadRequest(`endpoint: ${describeRefusal(refusal)}`, { fields: { endpoint: describeRefusal(refusal) } });
  await savePushSubscription(tx, { userId: by.userId, endpoint: input.endpoint, p256dh: input.keys.p256dh, auth: input.keys.auth });
  await appendAudit(tx, {
    actor: by.actor,
    action: 'push_subscription.added',
    subjectType: 'user',
    subjectId: by.userId,
    after: { endpointHost: new URL(input.endpoint).host },
  });
  return { subscribed: true };
}

export const pushUnsubscriptionInput = z.object({ endpoint: z.string().min(1).max(2000) }).strict();

/** A browser opts out: its subscription goes (only the person's own); unknown endpoints change nothing. */
export async function unsubscribePush(tx: Tx, raw: z.input<typeof pushUnsubscriptionInput>, by: { actor: Actor; userId: string }) {
  const input = parseInput(pushUnsubscriptionInput, raw, 'push subscription');
  const removed = await deletePushSubscriptionOf(tx, by.userId, input.endpoint);
  if (removed) {
    await appendAudit(tx, {
      actor: by.actor,
      action: 'push_subscription.removed',
      subjectType: 'user',
      subjectId: by.userId,
      before: { endpointHost: hostOf(input.endpoint) },
    });
  }
  return { subscribed: false, removed };
}

const hostOf = (url: string) => {
  try {
    return new URL(url).host;
  } catch {
    return null;
  }
};
