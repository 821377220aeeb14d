/**
 * An attachment of a conversation, ready for the browser. Bytes kept with the message (e-mail, or fetched
 * before) are served from the database; a WhatsApp/Telegram media id is fetched once through the channel's
 * connector (and so through the outbound guard), at most MAX_ATTACHMENT_BYTES, and kept for the next look.
 * Fetching on demand instead of on ingest keeps webhooks and polls fast and downloads only what an agent opens;
 * the providers keep media long enough for that (WhatsApp: 30 days, Telegram: as long as the file_id).
 */
import { ConnectorError, MAX_ATTACHMENT_BYTES, type Connectors } from '../../../connectors/types';
import type { SecretBox } from '../../crypto/secretBox';
import type { DbOrTx } from '../../db/client';
import { findAttachment, keepFetchedContent } from '../../db/repositories/messageAttachments.repo';
import { HttpError, NotFound } from '../../errors';
import { loadChannelForSend } from '../channels/loadChannelForSend';
import { servedAs, type Served } from './servedAs';

export type OpenedAttachment = Served & { content: Buffer };

type Deps = { db: DbOrTx; secretBox: SecretBox; connectors: Connectors };

export async function openAttachment(deps: Deps, conversationId: string, attachmentId: string): Promise<OpenedAttachment> {
  const found = await findAttachment(deps.db, conversationId, attachmentId);
  if (!found) throw new NotFound('Attachment');
  let content = found.content;
  let contentType = found.contentType;
  if (!content) {
    const channel = found.providerRef ? await loadChannelForSend(deps.db, deps.secretBox, found.channelId) : undefined;
    const connector = channel && deps.connectors.of(channel.kind);
    if (!found.providerRef || !channel || !connector?.fetchMedia) throw new NotFound('Attachment').showing('attachment.notKept');
    try {
      const fetched = await connector.fetchMedia(channel, found.providerRef, MAX_ATTACHMENT_BYTES);
      content = fetched.content;
      contentType ??= fetched.contentType;
    } catch (err) {
      if (!(err instanceof ConnectorError)) throw err;
      throw new HttpError(502, `The channel did not hand over the attachment: ${err.message}`).showing('attachment.unavailable');
    }
    await keepFetchedContent(deps.db, found.id, content, contentType);
  }
  return { content, ...servedAs(content, contentType, found.fileName ?? `attachment-${found.id.slice(0, 8)}`) };
}
