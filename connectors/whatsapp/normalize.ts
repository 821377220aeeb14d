/**
 * A WhatsApp Cloud API webhook payload → our NormalizedInbound messages and delivery receipts. Pure: no
 * I/O, so odd payloads are unit-testable. Items that cannot be read come back as skipped with a reason.
 *
 * Shape (https://developers.facebook.com/docs/whatsapp/cloud-api/webhooks/payload-examples):
 *   { object: "whatsapp_business_account", entry: [{ id, changes: [{ field: "messages", value: {
 *       messaging_product: "whatsapp", metadata: { display_phone_number, phone_number_id },
 *       contacts: [{ profile: { name, username? }, wa_id?, user_id? }],
 *       messages: [{ from?, from_user_id?, id: "wamid…", timestamp: "<unix seconds>", type, text: { body } | image: { id, mime_type, caption } | location: { latitude, longitude, name, address }, context?: { id } }],
 *       statuses: [{ id: "wamid…", status: "sent|delivered|read|failed", timestamp, recipient_id, errors?: [{ code, title }] }] } }] }] }
 *
 * Identities (2026): a user who adopted a username may hide the phone number; Meta then sends a business-scoped
 * user id (BSUID, `user_id` / `from_user_id`, e.g. "US.13491208655302741918") with or without the number
 * (`wa_id` / `from`). The BSUID is the author's id whenever it is given, so a customer stays one contact whether
 * the number shows or not; an identity stored earlier under the bare number is taken over (formerExternalIds).
 */
import { z } from 'zod';
import { inboundAttachment } from '../attachments';
import type { InboundAttachment, NormalizedInbound, RemoteStatusUpdate, SkippedItem } from '../types';

const MEDIA_TYPES = ['image', 'video', 'audio', 'document', 'sticker'] as const;

const mediaSchema = z.object({ id: z.string(), mime_type: z.string().optional(), caption: z.string().optional(), filename: z.string().optional() }).loose();

const PHONE = /^\d{1,20}$/;
/** A business-scoped user id: two-letter country code, a dot, alphanumerics (a parent BSUID has ENT. between). */
export const BSUID = /^[A-Z]{2}\.(ENT\.)?[A-Za-z0-9]{1,128}$/;

const messageSchema = z
  .object({
    from: z.string().regex(PHONE).optional(),
    from_user_id: z.string().regex(BSUID).optional(),
    id: z.string().min(1).max(200),
    timestamp: z.string().regex(/^\d{1,12}$/),
    type: z.string(),
    text: z.object({ body: z.string() }).optional(),
    location: z.object({ latitude: z.number(), longitude: z.number(), name: z.string().optional(), address: z.string().optional() }).optional(),
    context: z.object({ id: z.string().optional() }).loose().optional(),
    button: z.object({ text: z.string() }).loose().optional(),
    interactive: z
      .object({ button_reply: z.object({ title: z.string() }).loose().optional(), list_reply: z.object({ title: z.string() }).loose().optional() })
      .loose()
      .optional(),
    reaction: z.object({ emoji: z.string().optional() }).loose().optional(),
    image: mediaSchema.optional(),
    video: mediaSchema.optional(),
    audio: mediaSchema.optional(),
    document: mediaSchema.optional(),
    sticker: mediaSchema.optional(),
  })
  .loose()
  .refine((m) => m.from !== undefined || m.from_user_id !== undefined, { message: 'neither from nor from_user_id', path: ['from'] });

const statusSchema = z
  .object({
    id: z.string().min(1),
    status: z.enum(['sent', 'delivered', 'read', 'failed']),
    timestamp: z.string().regex(/^\d{1,12}$/),
    recipient_id: z.string().optional(),
    errors: z.array(z.object({ code: z.number().optional(), title: z.string().optional(), message: z.string().optional() }).loose()).optional(),
  })
  .loose();

const valueSchema = z
  .object({
    metadata: z.object({ phone_number_id: z.string() }).loose(),
    contacts: z
      .array(
        z
          .object({
            wa_id: z.string().optional(),
            user_id: z.string().optional(),
            profile: z.object({ name: z.string().optional(), username: z.string().optional() }).loose().optional(),
          })
          .loose(),
      )
      .optional(),
    messages: z.array(z.unknown()).optional(),
    statuses: z.array(z.unknown()).optional(),
  })
  .loose();

const payloadSchema = z
  .object({
    object: z.literal('whatsapp_business_account'),
    entry: z.array(z.object({ changes: z.array(z.object({ field: z.string(), value: z.unknown() }).loose()) }).loose()),
  })
  .loose();

export type WhatsappPayload = z.output<typeof payloadSchema>;
export type ReadChange = { items: NormalizedInbound[]; statuses: RemoteStatusUpdate[]; skipped: SkippedItem[] };

/** Checks the envelope; null when it is not a WhatsApp Business Account webhook at all. */
export function parseWhatsappPayload(body: unknown): WhatsappPayload | null {
  const parsed = payloadSchema.safeParse(body);
  return parsed.success ? parsed.data : null;
}

/** The phone number ids a payload is addressed to (routes it to channels). */
export function phoneNumberIdsOf(payload: WhatsappPayload): string[] {
  const ids = new Set<string>();
  for (const change of changesOf(payload)) ids.add(change.metadata.phone_number_id);
  return [...ids];
}

/** The messages and receipts a payload holds for one phone number id. */
export function whatsappEventsFor(payload: WhatsappPayload, phoneNumberId: string): number {
  return changesOf(payload)
    .filter((v) => v.metadata.phone_number_id === phoneNumberId)
    .reduce((n, v) => n + (v.messages?.length ?? 0) + (v.statuses?.length ?? 0), 0);
}

function changesOf(payload: WhatsappPayload) {
  const out: z.output<typeof valueSchema>[] = [];
  for (const entry of payload.entry) {
    for (const change of entry.changes) {
      if (change.field !== 'messages') continue;
      const value = valueSchema.safeParse(change.value);
      if (value.success) out.push(value.data);
    }
  }
  return out;
}

/** Everything in the payload addressed to one phone number id, read into messages and receipts. */
export function readWhatsappPayload(channelId: string, phoneNumberId: string, payload: WhatsappPayload): ReadChange {
  const result: ReadChange = { items: [], statuses: [], skipped: [] };
  for (const value of changesOf(payload)) {
    if (value.metadata.phone_number_id !== phoneNumberId) continue;
    const contacts = value.contacts ?? [];
    for (const raw of value.messages ?? []) {
      const m = messageSchema.safeParse(raw);
      if (!m.success) {
        const id = (raw as { id?: unknown } | null)?.id;
        result.skipped.push({
          externalId: typeof id === 'string' ? id : null,
          reason: m.error.issues.map((i) => `${i.path.join('.') || 'message'}: ${i.message}`).join('; '),
        });
        continue;
      }
      const msg = m.data;
      const contact = contacts.find((c) => (msg.from_user_id && c.user_id === msg.from_user_id) || (msg.from && c.wa_id === msg.from));
      const userId = msg.from_user_id ?? (contact?.user_id && BSUID.test(contact.user_id) ? contact.user_id : undefined);
      const phone = msg.from ?? (contact?.wa_id && PHONE.test(contact.wa_id) ? contact.wa_id : undefined);
      const username = contact?.profile?.username?.replace(/^@+/, '') || undefined;
      const handle = phone ? `+${phone}` : username ? `@${username}` : null;
      const externalId = (userId ?? phone) as string; // the schema requires one of them
      result.items.push({
        channelId,
        externalId: msg.id,
        author: {
          externalId,
          name: contact?.profile?.name || handle || externalId,
          handle,
          ...(userId && phone ? { formerExternalIds: [phone] } : {}),
        },
        text: textOf(msg),
        postedAt: new Date(Number(msg.timestamp) * 1000),
        inReplyToExternalId: msg.context?.id ?? null,
        url: null,
        raw,
        attachments: attachmentsOf(msg),
      });
    }
    for (const raw of value.statuses ?? []) {
      const s = statusSchema.safeParse(raw);
      if (!s.success) {
        result.skipped.push({ externalId: null, reason: `status: ${s.error.issues[0]?.message ?? 'unreadable'}` });
        continue;
      }
      const e = s.data.errors?.[0];
      result.statuses.push({
        externalId: s.data.id,
        status: s.data.status,
        at: new Date(Number(s.data.timestamp) * 1000),
        error: e ? [e.code, e.title ?? e.message].filter((x) => x !== undefined).join(': ') : null,
      });
    }
  }
  return result;
}

type Msg = z.output<typeof messageSchema>;

const mediaOf = (msg: Msg) => ((MEDIA_TYPES as readonly string[]).includes(msg.type) ? msg[msg.type as (typeof MEDIA_TYPES)[number]] : undefined);

/** The media of a message by its id: the bytes are fetched from the Graph API when an agent opens them (whatsappConnector.fetchMedia). */
function attachmentsOf(msg: Msg): InboundAttachment[] {
  const media = mediaOf(msg);
  return media ? [inboundAttachment({ fileName: media.filename, contentType: media.mime_type, providerRef: media.id })] : [];
}

/** What the console shows for a message: the text, or a label for media and locations (the media id stays in raw). */
export function textOf(msg: Msg): string {
  if (msg.type === 'text' && msg.text) return msg.text.body;
  const media = mediaOf(msg);
  if (media) {
    const detail = media.caption ?? media.filename;
    return detail ? `[${msg.type}] ${detail}` : `[${msg.type}]`;
  }
  if (msg.type === 'location' && msg.location) {
    const { latitude, longitude, name, address } = msg.location;
    const place = [name, address].filter(Boolean).join(', ');
    return `[location] ${place ? `${place} ` : ''}(${latitude}, ${longitude})`;
  }
  if (msg.type === 'button' && msg.button) return msg.button.text;
  if (msg.type === 'interactive' && msg.interactive) return msg.interactive.button_reply?.title ?? msg.interactive.list_reply?.title ?? '[interactive]';
  if (msg.type === 'reaction') return `[reaction] ${msg.reaction?.emoji ?? ''}`.trim();
  return `[${msg.type}]`;
}
