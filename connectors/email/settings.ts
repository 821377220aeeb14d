/** What an e-mail channel stores: servers and address in plain sight, passwords sealed. */
import { z } from 'zod';

const host = z.string().trim().min(1).max(255);
const port = z.coerce.number().int().min(1).max(65535);

export const emailSettingsSchema = z.object({
  /** Our address: replies come from it. */
  address: z.email(),
  imapHost: host,
  imapPort: port.default(993),
  /** TLS from the first byte (993); false = plain (loopback tests) */
  imapSecure: z.boolean().default(true),
  mailbox: z.string().min(1).max(200).default('INBOX'),
  smtpHost: host,
  smtpPort: port.default(587),
  /** TLS from the first byte (465); otherwise STARTTLS when offered */
  smtpSecure: z.boolean().default(false),
});
export type EmailSettings = z.output<typeof emailSettingsSchema>;

export const emailCredentialsSchema = z.object({
  imapUser: z.string().min(1),
  imapPassword: z.string().min(1),
  smtpUser: z.string().optional(),
  smtpPassword: z.string().optional(),
});

/** The poll cursor: the mailbox's UIDVALIDITY and the last UID we committed. */
export function parseEmailCursor(cursor: string | null): { uidValidity: string; lastUid: number } | null {
  const m = cursor ? /^(\d+):(\d+)$/.exec(cursor) : null;
  return m ? { uidValidity: m[1]!, lastUid: Number(m[2]) } : null;
}
export const emailCursor = (uidValidity: string | bigint | number, lastUid: number) => `${uidValidity}:${lastUid}`;
