/** The thread as the console shows it: a window of its messages with the files that came with them (previews for raster images). */
import type { DbOrTx } from '../../db/client';
import { listAttachments, type AttachmentListing } from '../../db/repositories/messageAttachments.repo';
import { listThreadWindow, type ThreadWindow } from '../../db/repositories/messages.repo';
import { isPreviewable } from './servedAs';

export type ThreadAttachment = AttachmentListing & { preview: boolean };

/** The messages of `window` (the latest by default), oldest first, and whether earlier ones exist. */
export async function loadThread(db: DbOrTx, conversationId: string, window: ThreadWindow = {}) {
  const { messages, earlier } = await listThreadWindow(db, conversationId, window);
  // the files of the messages shown, not of the whole thread (whose length has no bound)
  const files = await listAttachments(
    db,
    conversationId,
    messages.map((m) => m.id),
  );
  const byMessage = new Map<string, ThreadAttachment[]>();
  for (const f of files) byMessage.set(f.messageId, [...(byMessage.get(f.messageId) ?? []), { ...f, preview: f.available && isPreviewable(f.contentType) }]);
  return { messages: messages.map((m) => ({ ...m, attachments: byMessage.get(m.id) ?? [] })), earlier };
}
