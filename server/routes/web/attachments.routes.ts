/**
 * A file a customer sent, served from the product to a signed-in user who may read the conversation —
 * never a link to the provider. Raster images inline (the thread's previews), everything else as a download;
 * nosniff and a sandboxing CSP so no file is ever run or rendered as a page of ours.
 */
import { Router } from 'express';
import { openAttachment } from '../../domain/attachments/openAttachment';
import { requirePermission } from '../../middleware/auth';
import { pathId, uuidParam } from '../../middleware/validate';
import type { Services } from '../../services';

export function attachmentRoutes(services: Services): Router {
  const router = Router();
  router.param('id', uuidParam('Conversation'));
  router.param('attachmentId', uuidParam('Attachment'));

  router.get('/conversations/:id/attachments/:attachmentId', requirePermission('conversation.read'), async (req, res) => {
    const file = await openAttachment(services, pathId(req), pathId(req, 'attachmentId'));
    res
      .set({
        'Content-Type': file.contentType,
        'Content-Disposition': file.disposition,
        'Content-Length': String(file.content.length),
        'X-Content-Type-Options': 'nosniff',
        'Content-Security-Policy': "default-src 'none'; sandbox",
        'Cache-Control': 'private, max-age=86400',
      })
      .end(file.content);
  });

  return router;
}
