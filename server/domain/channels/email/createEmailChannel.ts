/**
 * Connecting a mailbox: IMAP for inbound (polled by the worker, by UID), SMTP for replies. Passwords
 * are sealed in the channel's credentials; hosts, ports and the address stay in the settings.
 */
import { z } from 'zod';
import { emailSettingsSchema } from '../../../../connectors/email/settings';
import type { SecretBox } from '../../../crypto/secretBox';
import type { Tx } from '../../../db/client';
import { appendAudit } from '../../../db/repositories/audit.repo';
import { insertMessagingChannel } from '../../../db/repositories/webhookInbox.repo';
import type { Actor } from '../../audit/actor';
import { parseInput } from '../../parseInput';
import { assertOutboundTargets } from '../outboundTargets';

const flag = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]);

export const emailChannelSchema = z.object({
  name: z.string().trim().min(1).max(100),
  address: z.email(),
  imapHost: z.string().trim().min(1).max(255),
  imapPort: z.coerce.number().int().min(1).max(65535).default(993),
  imapSecure: flag.default(true),
  imapUser: z.string().min(1),
  imapPassword: z.string().min(1),
  mailbox: z.string().min(1).max(200).default('INBOX'),
  smtpHost: z.string().trim().min(1).max(255),
  smtpPort: z.coerce.number().int().min(1).max(65535).default(587),
  smtpSecure: flag.default(false),
  smtpUser: z.string().min(1).nullish(),
  smtpPassword: z.string().min(1).nullish(),
  pollIntervalSeconds: z.coerce.number().int().min(1).max(86_400).default(30),
});
export type NewEmailChannel = z.input<typeof emailChannelSchema>;

export async function createEmailChannel(tx: Tx, secretBox: SecretBox, input: NewEmailChannel, actor: Actor): Promise<{ channelId: string; address: string }> {
  const v = parseInput(emailChannelSchema, input, 'channel');
  await assertOutboundTargets({ imapHost: { host: v.imapHost }, smtpHost: { host: v.smtpHost } });
  const settings = emailSettingsSchema.parse({
    address: v.address, imapHost: v.imapHost, imapPort: v.imapPort, imapSecure: v.imapSecure, mailbox: v.mailbox,
    smtpHost: v.smtpHost, smtpPort: v.smtpPort, smtpSecure: v.smtpSecure,
  });
  const channel = await insertMessagingChannel(tx, {
    kind: 'email', name: v.name, settings, pollIntervalSeconds: v.pollIntervalSeconds,
    credentialsEnc: secretBox.seal(JSON.stringify({
      imapUser: v.imapUser, imapPassword: v.imapPassword, ...(v.smtpUser ? { smtpUser: v.smtpUser, smtpPassword: v.smtpPassword ?? '' } : {}),
    })),
  });
  await appendAudit(tx, {
    actor, action: 'channel.created', subjectType: 'channel', subjectId: channel.id, channelId: channel.id,
    after: { kind: 'email', name: v.name, ...settings, pollIntervalSeconds: v.pollIntervalSeconds },
  });
  return { channelId: channel.id, address: v.address };
}
