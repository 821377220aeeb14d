/**
 * Telegram Bot API updates → our NormalizedInbound. Pure. Private chats count in full; in groups only
 * messages that mention the bot (or reply to it) do. Message ids are unique per chat only, so our
 * external id is "<chat id>:<message id>" — which also tells the reply where to go.
 *
 * Update shape (https://core.telegram.org/bots/api#update):
 *   { update_id, message: { message_id, date, chat: { id, type: "private|group|supergroup|channel", title? },
 *     from: { id, is_bot, first_name, last_name?, username? }, text? | caption?, entities?: [{ type: "mention", offset, length }],
 *     photo? | document? | voice? | sticker? | location?, reply_to_message? } }
 */
import { z } from 'zod';
import { inboundAttachment } from '../attachments';
import type { InboundAttachment, NormalizedInbound } from '../types';

const userSchema = z
  .object({ id: z.number(), is_bot: z.boolean().optional(), first_name: z.string(), last_name: z.string().optional(), username: z.string().optional() })
  .loose();
/** A file of a message (PhotoSize, Document, Voice, …): the bytes are fetched by file_id with getFile when an agent opens them. */
const fileSchema = z
  .object({ file_id: z.string().min(1), file_name: z.string().optional(), mime_type: z.string().optional(), file_size: z.number().optional() })
  .loose();
const messageSchema = z
  .object({
    message_id: z.number(),
    date: z.number(),
    chat: z.object({ id: z.number(), type: z.string(), title: z.string().optional() }).loose(),
    from: userSchema.optional(),
    text: z.string().optional(),
    caption: z.string().optional(),
    entities: z.array(z.object({ type: z.string(), offset: z.number(), length: z.number() }).loose()).optional(),
    caption_entities: z.array(z.object({ type: z.string(), offset: z.number(), length: z.number() }).loose()).optional(),
    reply_to_message: z.object({ message_id: z.number(), from: userSchema.optional() }).loose().optional(),
    location: z.object({ latitude: z.number(), longitude: z.number() }).loose().optional(),
    photo: z.array(fileSchema).optional(),
    document: fileSchema.optional(),
    video: fileSchema.optional(),
    voice: fileSchema.optional(),
    audio: fileSchema.optional(),
    animation: fileSchema.optional(),
    video_note: fileSchema.optional(),
    sticker: fileSchema.extend({ is_animated: z.boolean().optional(), is_video: z.boolean().optional() }).optional(),
  })
  .loose();
const updateSchema = z.object({ update_id: z.number().int().nonnegative() }).loose();

const MEDIA = ['photo', 'video', 'voice', 'audio', 'document', 'sticker', 'animation', 'video_note', 'contact'] as const;

export type TelegramRead = { items: NormalizedInbound[]; skipped: { externalId: string | null; reason: string }[]; maxUpdateId: number | null };

export const telegramExternalId = (chatId: number | string, messageId: number | string) => `${chatId}:${messageId}`;

export function parseExternalId(id: string): { chatId: string; messageId: number } | null {
  const m = /^(-?\d+):(\d+)$/.exec(id);
  return m ? { chatId: m[1]!, messageId: Number(m[2]) } : null;
}

export function readUpdates(channelId: string, bot: { id: string; username: string }, updates: unknown[]): TelegramRead {
  const out: TelegramRead = { items: [], skipped: [], maxUpdateId: null };
  for (const raw of updates) {
    const u = updateSchema.safeParse(raw);
    if (!u.success) {
      out.skipped.push({ externalId: null, reason: 'update without update_id' });
      continue;
    }
    out.maxUpdateId = Math.max(out.maxUpdateId ?? 0, u.data.update_id);
    const rawMessage = (raw as { message?: unknown }).message;
    if (rawMessage === undefined) continue; // edited messages, channel posts, callbacks: not ours to answer
    const parsed = messageSchema.safeParse(rawMessage);
    if (!parsed.success) {
      out.skipped.push({ externalId: `update:${u.data.update_id}`, reason: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
      continue;
    }
    const m = parsed.data;
    if (!m.from || m.from.is_bot) continue;
    const isPrivate = m.chat.type === 'private';
    if (!isPrivate && !(m.chat.type === 'group' || m.chat.type === 'supergroup')) continue;
    if (!isPrivate && !addressesBot(m, bot)) continue;
    const name = [m.from.first_name, m.from.last_name].filter(Boolean).join(' ');
    out.items.push({
      channelId,
      externalId: telegramExternalId(m.chat.id, m.message_id),
      author: {
        externalId: String(m.from.id),
        name: name || (m.from.username ? `@${m.from.username}` : `Telegram ${m.from.id}`),
        handle: m.from.username ?? null,
      },
      text: textOf(m, isPrivate ? null : bot.username),
      postedAt: new Date(m.date * 1000),
      inReplyToExternalId: m.reply_to_message ? telegramExternalId(m.chat.id, m.reply_to_message.message_id) : null,
      url: null,
      raw,
      attachments: attachmentsOf(m),
    });
  }
  return out;
}

type Msg = z.output<typeof messageSchema>;

function addressesBot(m: Msg, bot: { id: string; username: string }): boolean {
  if (m.reply_to_message?.from && String(m.reply_to_message.from.id) === bot.id) return true;
  const text = m.text ?? m.caption ?? '';
  const entities = m.entities ?? m.caption_entities ?? [];
  const handle = `@${bot.username}`.toLowerCase();
  if (entities.some((e) => e.type === 'mention' && text.slice(e.offset, e.offset + e.length).toLowerCase() === handle)) return true;
  return new RegExp(`(^|\\W)${handle.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`, 'i').test(text);
}

/** Telegram photos come in several sizes; the largest is kept. Photos are JPEG, static stickers WebP. */
function attachmentsOf(m: Msg): InboundAttachment[] {
  const photo = m.photo?.at(-1);
  if (photo) return [inboundAttachment({ contentType: 'image/jpeg', sizeBytes: photo.file_size, providerRef: photo.file_id })];
  if (m.sticker) {
    const still = !m.sticker.is_animated && !m.sticker.is_video;
    return [inboundAttachment({ contentType: still ? 'image/webp' : null, sizeBytes: m.sticker.file_size, providerRef: m.sticker.file_id })];
  }
  const file = m.document ?? m.video ?? m.voice ?? m.audio ?? m.animation ?? m.video_note;
  return file ? [inboundAttachment({ fileName: file.file_name, contentType: file.mime_type, sizeBytes: file.file_size, providerRef: file.file_id })] : [];
}

function textOf(m: Msg, botUsername: string | null): string {
  let text = m.text ?? m.caption ?? '';
  // In groups the mention is how the customer called us, not part of the question.
  if (botUsername)
    text = text
      .replace(new RegExp(`@${botUsername}\\b`, 'ig'), '')
      .replace(/\s{2,}/g, ' ')
      .trim();
  const media = MEDIA.find((k) => k in m);
  if (media) return text ? `[${media}] ${text}` : `[${media}]`;
  if (m.location) return `[location] (${m.location.latitude}, ${m.location.longitude})`;
  return text || '[message]';
}
