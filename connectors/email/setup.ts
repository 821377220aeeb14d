/**
 * Connecting a mailbox: IMAP for inbound (polled by the worker, by UID), SMTP for replies. Passwords
 * are sealed in the channel's credentials; hosts, ports and the address stay in the settings.
 */
import { z } from 'zod';
import type { ChannelSetup } from '../types';
import { emailSettingsSchema, type EmailSettings } from './settings';

const flag = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]);

export const emailSetup = z
  .object({
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
  })
  .transform((v) => ({
    name: v.name,
    settings: emailSettingsSchema.parse({
      address: v.address,
      imapHost: v.imapHost,
      imapPort: v.imapPort,
      imapSecure: v.imapSecure,
      mailbox: v.mailbox,
      smtpHost: v.smtpHost,
      smtpPort: v.smtpPort,
      smtpSecure: v.smtpSecure,
    }),
    credentials: {
      imapUser: v.imapUser,
      imapPassword: v.imapPassword,
      ...(v.smtpUser ? { smtpUser: v.smtpUser, smtpPassword: v.smtpPassword ?? '' } : {}),
    },
    outboundTargets: { imapHost: { host: v.imapHost }, smtpHost: { host: v.smtpHost } },
    pollIntervalSeconds: v.pollIntervalSeconds,
  })) satisfies ChannelSetup<EmailSettings>;
