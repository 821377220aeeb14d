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
import { inTransaction } from '../../domain/effects';
import { approvedTemplates, insideWindow } from '../../domain/replies/prepareReply';
import { queueReply } from '../../domain/replies/queueReply';
import { NotFound } from '../../errors';
import { requirePermission } from '../../middleware/auth';
import { rerenderForm } from '../../middleware/errors';
import { isHtmx } from '../../middleware/htmx';
import { pathId, uuidParam, validate } from '../../middleware/validate';
import type { Services } from '../../services';

const templateForm = z.object({
  template: z
    .string()
    .regex(/^[a-z0-9_]+\|[A-Za-z_]+$/)
    .transform((v) => {
      const [name = '', language = ''] = v.split('|');
      return { name, language };
    }),
});

export function replyWindowRoutes({ db, dispatcher, connectors, caseLink }: Services): Router {
  const router = Router();
  router.param('id', uuidParam('Conversation'));

  async function render(req: Request, res: Response, extra: { sent?: boolean } = {}) {
    const conversation = await findConversationDetail(db, pathId(req));
    const channel = conversation && (await findChannel(db, conversation.channelId));
    if (!conversation || !channel) throw new NotFound('Conversation');
    const connector = connectors.of(channel.kind);
    const limits = connector?.limits(channel, conversation.threadKey === 'dm' ? 'dm' : null);
    const hours = limits?.freeTextWindowHours;
    const last = await lastInboundAt(db, conversation.id);
    const open = hours === undefined || insideWindow(last, new Date(), hours);
    // Messenger/Instagram: after the free window, replies tagged as a person's (HUMAN_AGENT) until this time.
    const humanAgentHours = limits?.humanAgentWindowHours;
    res.render('partials/reply-window', {
      conversationId: conversation.id,
      hours,
      open,
      until: last && hours ? new Date(last.getTime() + hours * 3600_000) : null,
      humanAgentUntil: last && humanAgentHours ? new Date(last.getTime() + humanAgentHours * 3600_000) : null,
      tagged: humanAgentHours !== undefined,
      humanAgentOpen: humanAgentHours !== undefined && insideWindow(last, new Date(), humanAgentHours),
      templates: connector ? approvedTemplates(connector, channel) : [],
      sent: extra.sent ?? false,
    });
  }

  router.get('/conversations/:id/reply-window', (req, res) => render(req, res));

  router.post(
    '/conversations/:id/template-replies',
    requirePermission('conversation.reply'),
    rerenderForm('template', (req, res) => render(req, res)),
    validate(templateForm),
    async (req, res) => {
      const conversationId = pathId(req);
      const user = req.user!;
      await inTransaction(db, dispatcher, (tx, effects) =>
        queueReply(
          tx,
          effects,
          {
            conversationId,
            text: '',
            template: res.locals.input.template,
            author: { id: user.id, name: user.name },
          },
          userActor(user, req.ip),
          connectors,
          caseLink,
        ),
      );
      if (!isHtmx(req)) return res.redirect(303, `/conversations/${conversationId}`);
      return render(req, res, { sent: true });
    },
  );
  return router;
}
