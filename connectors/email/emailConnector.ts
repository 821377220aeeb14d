/**
 * The e-mail connector: inbound from an IMAP mailbox (imapflow), resumed by UID within the mailbox's
 * UIDVALIDITY (a changed UIDVALIDITY starts over; dedupe by Message-ID drops what we have); outbound
 * over SMTP (nodemailer) with In-Reply-To/References and the case number in the subject.
 */
import { z } from 'zod';
import { nodemailer } from '../../server/mail/nodemailer';
import { outbound } from '../../server/net/outboundTarget';
import { AuthFailed, ConnectorError, Permanent, PLAIN_CAPABILITIES, Transient, type Connector, type FetchResult } from '../types';
import { mayHaveArrived } from '../httpErrors';
import { emailCredentialsSchema, emailCursor, emailSettingsSchema, parseEmailCursor, type EmailSettings } from './settings';
import { emailSetup } from './setup';

export const EMAIL_MAX_TEXT_LENGTH = 100_000;
/** Mails per poll; the cursor continues where a batch ended. */
const BATCH = 50;

/** Loaded when a mailbox is first opened or a mail first parsed, as nodemailer is (server/mail/nodemailer.ts says why). */
const imapflow = (): typeof import('imapflow') => require('imapflow');
const mailParsing = (): typeof import('./parse') => require('./parse');

function unpack(channel: { settings: unknown; credentials: Record<string, string> }) {
  const settings = emailSettingsSchema.parse(channel.settings);
  const creds = emailCredentialsSchema.safeParse(channel.credentials);
  if (!creds.success) throw new AuthFailed('This e-mail channel has no IMAP credentials');
  return { settings, creds: creds.data };
}

/** An SMTP transport to the channel's server, at the address the outbound-target guard checked (TLS still verifies the host name). */
async function smtpTransport({ settings, creds }: ReturnType<typeof unpack>) {
  const target = await resolveHost(settings.smtpHost);
  return nodemailer().createTransport({
    host: target.address,
    ...(target.servername ? { servername: target.servername } : {}),
    port: settings.smtpPort,
    secure: settings.smtpSecure,
    ...(creds.smtpUser ? { auth: { user: creds.smtpUser, pass: creds.smtpPassword ?? '' } } : {}),
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    socketTimeout: 30_000,
  });
}

/**
 * An IMAP client for the channel's mailbox (not yet connected); the IDLE watch uses it too. It connects
 * to the address the outbound-target guard checked (TLS still verifies the host name); throws
 * OutboundTargetRefused when the host points inside.
 */
async function imapClientFor(channel: { settings: unknown; credentials: Record<string, string> }) {
  const { settings, creds } = unpack(channel);
  const target = await resolveHost(settings.imapHost);
  const client = new (imapflow().ImapFlow)({
    host: target.address,
    ...(target.servername ? { servername: target.servername } : {}),
    port: settings.imapPort,
    secure: settings.imapSecure,
    logger: false,
    auth: { user: creds.imapUser, pass: creds.imapPassword },
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
  });
  return { settings, client };
}

/** The checked address of a mail server; a name that does not resolve is a transient failure like any network trouble. */
async function resolveHost(host: string) {
  try {
    return await outbound().resolve(host);
  } catch (err) {
    if (err instanceof ConnectorError) throw err;
    throw new Transient(`${host}: ${(err as { code?: string }).code ?? (err as Error).message}`);
  }
}

export function imapError(err: unknown): ConnectorError {
  const e = err as { authenticationFailed?: boolean; code?: string; message?: string; responseText?: string };
  if (e.authenticationFailed) return new AuthFailed(`IMAP login refused: ${e.responseText ?? e.message ?? ''}`.trim());
  return new Transient(`IMAP: ${e.code ?? e.responseText ?? e.message ?? 'connection failed'}`);
}

export function smtpError(err: unknown): ConnectorError {
  const e = err as { responseCode?: number; code?: string; response?: string; message?: string };
  const message = `SMTP ${e.responseCode ?? e.code ?? ''}: ${e.response ?? e.message ?? ''}`.slice(0, 400);
  if (e.code === 'EAUTH' || e.responseCode === 535) return new AuthFailed(message);
  if (e.responseCode && e.responseCode >= 500) return new Permanent(message);
  // A 4xx answer refused the mail; a connection lost without an answer may have lost it after DATA.
  return new Transient(message, !e.responseCode && mayHaveArrived(e.code));
}

const threadSchema = z.object({ subject: z.string().optional(), references: z.array(z.string()).optional() }).loose();

/** "[#1234] Re: <the customer's subject>", without piling up "Re:" or case tags. */
export function replySubject(caseNumber: string, original: string | undefined): string {
  const base = (original ?? '')
    .replace(/\[#\d+\]\s*/g, '')
    .replace(/^((re|aw|fwd?|wg)\s*:\s*)+/i, '')
    .trim();
  return `[#${caseNumber}] Re: ${base || 'Ihre Anfrage'}`;
}

export const emailConnector: Connector<EmailSettings> = {
  kind: 'email',
  idempotentResend: false,
  setup: emailSetup,
  limits: () => ({ maxTextLength: EMAIL_MAX_TEXT_LENGTH }),
  capabilities: PLAIN_CAPABILITIES,

  async watch(channel, onNew, stop) {
    const { settings, client } = await imapClientFor(channel);
    if (stop.aborted) return;
    client.on('error', () => undefined); // the close event ends the watch
    client.on('exists', onNew);
    const close = () => {
      client.logout().catch(() => client.close());
    };
    stop.addEventListener('abort', close, { once: true });
    try {
      const gone = new Promise<void>((resolve) => client.once('close', () => resolve()));
      await client.connect();
      await client.mailboxOpen(settings.mailbox); // imapflow IDLEs on its own while no command runs
      await gone;
    } finally {
      stop.removeEventListener('abort', close);
    }
  },

  async fetchSince(channel, cursor): Promise<FetchResult> {
    const result: FetchResult & { skipped: NonNullable<FetchResult['skipped']> } = { items: [], skipped: [], nextCursor: { ...cursor } };
    let opened: Awaited<ReturnType<typeof imapClientFor>>;
    try {
      opened = await imapClientFor(channel);
    } catch (err) {
      return { ...result, error: err instanceof ConnectorError ? err : imapError(err), nextCursor: cursor };
    }
    const { settings, client } = opened;
    client.on('error', () => undefined); // surfaced through the awaited calls below
    try {
      await client.connect();
      const lock = await client.getMailboxLock(settings.mailbox);
      try {
        const mailbox = client.mailbox;
        if (!mailbox) throw new Transient('IMAP: no mailbox selected');
        const uidValidity = String(mailbox.uidValidity);
        const previous = parseEmailCursor(cursor.channel);
        const lastUid = previous && previous.uidValidity === uidValidity ? previous.lastUid : 0;
        const found = await client.search({ uid: `${lastUid + 1}:*` }, { uid: true });
        const uids = (found || [])
          .filter((u) => u > lastUid)
          .sort((a, b) => a - b)
          .slice(0, BATCH);
        let last = lastUid;
        if (uids.length) {
          const { parseMail } = mailParsing();
          for await (const msg of client.fetch(uids.join(','), { uid: true, source: true }, { uid: true })) {
            if (!msg.source) continue;
            const parsed = await parseMail(channel.id, msg.source, `<uid-${uidValidity}-${msg.uid}@${settings.imapHost}>`);
            if (parsed.ok) result.items.push(parsed.item);
            else result.skipped.push({ externalId: parsed.externalId, reason: parsed.reason });
            last = Math.max(last, msg.uid);
          }
        }
        result.nextCursor = { ...cursor, channel: emailCursor(uidValidity, last) };
      } finally {
        lock.release();
      }
      await client.logout().catch(() => undefined);
    } catch (err) {
      client.close();
      result.error = err instanceof ConnectorError ? err : imapError(err);
      result.items = [];
      result.nextCursor = cursor;
    }
    return result;
  },

  /** An IMAP login that opens the mailbox, then an SMTP connection (with login when the channel has one). */
  async testConnection(channel) {
    const { settings, client } = await imapClientFor(channel);
    let messages: number;
    try {
      await client.connect();
      const mailbox = await client.mailboxOpen(settings.mailbox, { readOnly: true });
      messages = mailbox.exists;
    } catch (err) {
      throw err instanceof ConnectorError ? err : imapError(err);
    } finally {
      await client.logout().catch(() => client.close());
    }
    const transport = await smtpTransport(unpack(channel));
    try {
      await transport.verify();
    } catch (err) {
      throw smtpError(err);
    } finally {
      transport.close();
    }
    return `IMAP answered: mailbox ${settings.mailbox} opened (${messages} messages); SMTP ${settings.smtpHost}:${settings.smtpPort} accepted the connection`;
  },

  async sendReply(channel, reply) {
    const { settings, creds } = unpack(channel);
    const to = reply.recipientExternalId;
    if (!to || !z.email().safeParse(to).success) throw new Permanent('The customer has no e-mail address on this channel');
    const thread = threadSchema.safeParse(reply.inReplyToRaw);
    const references = [...(thread.success ? (thread.data.references ?? []) : []), ...(reply.inReplyToExternalId ? [reply.inReplyToExternalId] : [])];
    const domain = settings.address.split('@')[1] ?? 'replyline.local';
    const transport = await smtpTransport({ settings, creds });
    try {
      // The same Message-ID on every attempt, so a retry after a lost answer is recognisable as the same mail.
      const messageId = `<reply-${reply.messageId}@${domain}>`;
      await transport.sendMail({
        from: { name: channel.name, address: settings.address },
        to,
        messageId,
        subject: replySubject(reply.caseNumber, thread.success ? thread.data.subject : undefined),
        text: reply.text,
        ...(reply.inReplyToExternalId ? { inReplyTo: reply.inReplyToExternalId } : {}),
        ...(references.length ? { references } : {}),
      });
      return { externalId: messageId, url: null };
    } catch (err) {
      throw smtpError(err);
    } finally {
      transport.close();
    }
  },
};
