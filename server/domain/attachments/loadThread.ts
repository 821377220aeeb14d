/** The thread as the console shows it: every message with the files that came with it (previews for raster images). */
import type { DbOrTx } from '../../db/client';
import { listAttachments, type AttachmentListing } from '../../db/repositories/messageAttachments.repo';
import { listMessages } from '../../db/repositories/messages.repo';
import { isPreviewable } from './servedAs';

export type ThreadAttachment = AttachmentListing & { preview: boolean };

export async function loadThread(db: DbOrTx, conversationId: string) {
  // the files by conversation, read beside the messages rather than after them
  const [messages, files] = await Promise.all([listMessages(db, conversationId), listAttachments(db, conversationId)]);
  const byMessage = new Map<string, ThreadAttachment[]>();
  for (const f of files) byMessage.set(f.messageId, [...(byMessage.get(f.messageId) ?? []), { ...f, preview: f.available && isPreviewable(f.contentType) }]);
  return messages.map((m) => ({ ...m, attachments: byMessage.get(m.id) ?? [] }));
}
