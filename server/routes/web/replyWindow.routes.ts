/**
 * The WhatsApp reply panel under the reply box: whether free text is still allowed (24-hour window) and,
 * when it is not, the channel's approved templates to send instead.
 */
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { findChannel } from '../../db/repositories/channels.repo';
import { findConversationDetail } from '../../db/repositories/conversations.repo';
import { lastInboundAt } from '../../db/repositories/webhookInbox.repo';
import { userActor } from '../../domain/audit/actor';
import { can } from '../../domain/auth/permissions';
import { queueReply } from '../../domain/replies/queueReply';
import { inTransaction } from '../../domain/effects';
import { approvedTemplates, insideWindow } from '../../domain/replies/prepareReply';
import { HttpError, NotFound } from '../../errors';
import { requirePermission } from '../../middleware/auth';
import type { Services } from '../../services';
import { idParam } from '../conversations.schema';

const templateBody = z.object({ template: z.string().regex(/^[a-z0-9_]+\|[A-Za-z_]+$/, 'choose a template') });

export function replyWindowRoutes({ db, dispatcher, connectors }: Services): Router {
  const router = Router();

  async function render(req: Request, res: Response, extra: { error?: string; sent?: boolean } = {}) {
    const parsed = idParam.safeParse(req.params);
    const conversation = parsed.success ? await findConversationDetail(db, parsed.data.id) : undefined;
    const channel = conversation && (await findChannel(db, conversation.channelId));
    if (!conversation || !channel) throw new NotFound('Conversation');
    const connector = connectors.of(channel.kind);
    const hours = connector?.limits(channel).freeTextWindowHours;
    const last = await lastInboundAt(db, conversation.id);
    const open = hours === undefined || insideWindow(last, new Date(), hours);
    res.render('partials/reply-window', {
      conversationId: conversation.id, hours, open, until: last && hours ? new Date(last.getTime() + hours * 3600_000) : null,
      templates: connector ? approvedTemplates(connector, channel) : [], canReply: can(req.user!.role, 'conversation.reply'), error: extra.error ?? null, sent: extra.sent ?? false,
    });
  }

  router.get('/conversations/:id/reply-window', (req, res) => render(req, res));

  router.post('/conversations/:id/template-replies', requirePermission('conversation.reply'), async (req, res) => {
    const parsed = idParam.safeParse(req.params);
    if (!parsed.success) throw new NotFound('Conversation');
    const body = templateBody.safeParse(req.body);
    if (!body.success) {
      res.status(400);
      return render(req, res, { error: body.error.issues[0]?.message ?? 'invalid template' });
    }
    const [name, language] = body.data.template.split('|') as [string, string];
    const user = req.user!;
    try {
      await inTransaction(db, dispatcher, (tx, effects) => queueReply(tx, effects, {
        conversationId: parsed.data.id, text: '', template: { name, language }, author: { id: user.id, name: user.name },
      }, userActor(user, req.ip)));
    } catch (err) {
      if (!(err instanceof HttpError) || err.status >= 500) throw err;
      res.status(err.status);
      return render(req, res, { error: err.message });
    }
    if (!req.get('hx-request')) return res.redirect(303, `/conversations/${parsed.data.id}`);
    return render(req, res, { sent: true });
  });
  return router;
}
