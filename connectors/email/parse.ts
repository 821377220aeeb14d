/**
 * One raw e-mail (RFC 5322 source) → our NormalizedInbound. HTML-only bodies become plain text via
 * sanitize-html (every tag and attribute dropped, blocks turned into line breaks), so nothing from the
 * mail is ever interpreted; attachments are listed by name, type and size in raw. Broken MIME → a reason.
 */
import { simpleParser, type AddressObject } from 'mailparser';
import sanitizeHtml from 'sanitize-html';
import { inboundAttachment } from '../attachments';
import { MAX_ATTACHMENT_BYTES, type NormalizedInbound } from '../types';

export type ParsedMail = { ok: true; item: NormalizedInbound } | { ok: false; externalId: string | null; reason: string };

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'", '&nbsp;': ' ' };

export function htmlToText(html: string): string {
  const kept = sanitizeHtml(html, { allowedTags: ['p', 'br', 'div', 'li', 'tr', 'h1', 'h2', 'h3', 'h4', 'blockquote'], allowedAttributes: {} });
  return kept
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|div|li|tr|h\d|blockquote)>/gi, '\n')
    .replace(/<li>/gi, '• ')
    .replace(/<[^>]*>/g, '')
    .replace(/&(amp|lt|gt|quot|#39|nbsp);/g, (e) => ENTITIES[e] ?? e)
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

function firstAddress(a: AddressObject | AddressObject[] | undefined) {
  const list = Array.isArray(a) ? a.flatMap((x) => x.value) : (a?.value ?? []);
  return list.find((v) => v.address);
}

export async function parseMail(channelId: string, source: Buffer, fallbackId: string): Promise<ParsedMail> {
  let mail;
  try {
    mail = await simpleParser(source, { skipImageLinks: true, skipTextToHtml: true });
  } catch (err) {
    return { ok: false, externalId: fallbackId, reason: `unreadable MIME: ${(err as Error).message}` };
  }
  const from = firstAddress(mail.from);
  if (!from?.address) return { ok: false, externalId: mail.messageId ?? fallbackId, reason: 'no From address' };
  const externalId = (mail.messageId ?? fallbackId).slice(0, 200);
  const references = typeof mail.references === 'string' ? [mail.references] : (mail.references ?? []);
  const body = (mail.text?.trim() || (mail.html ? htmlToText(mail.html) : '')).slice(0, 100_000);
  const subject = mail.subject?.trim() ?? '';
  const attachments = mail.attachments.map((a) => ({ filename: a.filename ?? null, contentType: a.contentType, size: a.size }));
  const listed = attachments.length
    ? `\n\n[attachments] ${attachments.map((a) => `${a.filename ?? 'unnamed'} (${Math.ceil(a.size / 1024)} KB)`).join(', ')}`
    : '';
  return {
    ok: true,
    item: {
      channelId,
      externalId,
      author: { externalId: from.address.toLowerCase(), name: from.name || from.address, handle: from.address.toLowerCase() },
      text: `${subject ? `${subject}\n\n` : ''}${body || '[no text]'}${listed}`,
      postedAt: mail.date && !Number.isNaN(mail.date.getTime()) ? mail.date : new Date(),
      inReplyToExternalId: mail.inReplyTo ?? references.at(-1) ?? null,
      url: null,
      raw: { subject, messageId: externalId, inReplyTo: mail.inReplyTo ?? null, references, attachments, hasHtml: Boolean(mail.html) },
      // The bytes come with the mail: kept on ingest (up to MAX_ATTACHMENT_BYTES; larger ones are listed only), since the mailbox may not keep the mail.
      attachments: mail.attachments.map((a) =>
        inboundAttachment({
          fileName: a.filename,
          contentType: a.contentType,
          sizeBytes: a.size,
          content: a.content.length <= MAX_ATTACHMENT_BYTES ? a.content : null,
        }),
      ),
    },
  };
}
