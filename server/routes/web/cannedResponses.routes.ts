/**
 * Canned responses: found and filled in from the reply box (`/shortcut` at the end of the text, or words in
 * the search field), and managed by managers on their settings page (every change audited).
 */
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { listCanned, searchCanned } from '../../db/repositories/cannedResponses.repo';
import { findChannel } from '../../db/repositories/channels.repo';
import { findConversationDetail } from '../../db/repositories/conversations.repo';
import {
  cannedEditInput,
  cannedInput,
  createCannedResponse,
  editCannedResponse,
  retireCannedResponse,
  fillCannedFor,
} from '../../domain/cannedResponses/cannedResponses';
import { requirePermission } from '../../middleware/auth';
import { rerenderForm } from '../../middleware/errors';
import { formList, pathId, uuidParam, validate } from '../../middleware/validate';
import type { Services } from '../../services';
import { actingUser } from '../actor';

const SLASH_AT_END = /(?:^|\s)\/([a-z0-9_-]{0,40})$/i;
const composerQuery = z.object({ text: z.string().max(20_000).default(''), q: z.string().max(200).default('') });

/** The channel kinds are checkboxes: none, one or several. */
const cannedForm = (req: Request) => ({ ...req.body, channelKinds: formList(req.body.channelKinds), id: req.params.cannedId });

export function cannedResponseRoutes(services: Services): Router {
  const { db, connectors } = services;
  const router = Router();
  router.param('id', uuidParam('Conversation'));
  router.param('cannedId', uuidParam('Canned response'));
  const reply = requirePermission('conversation.reply');

  router.get(
    '/conversations/:id/canned',
    reply,
    validate(composerQuery, (req) => req.query),
    async (req, res) => {
      const conversationId = pathId(req);
      const { text, q } = res.locals.input;
      const term = q.trim().slice(0, 60) || (SLASH_AT_END.exec(text)?.[1] ?? null);
      const conversation = term === null ? undefined : await findConversationDetail(db, conversationId);
      const matches = conversation && term !== null ? await searchCanned(db, term, conversation.channelKind) : [];
      res.render('partials/cannedResponses/matches', { matches, conversationId });
    },
  );

  router.get(
    '/conversations/:id/canned/:cannedId',
    reply,
    validate(composerQuery, (req) => req.query),
    async (req, res) => {
      const conversationId = pathId(req);
      const filled = await fillCannedFor(db, pathId(req, 'cannedId'), conversationId, req.user!);
      // The filled text replaces a trailing `/shortcut`, or is appended to what was typed.
      const typed = res.locals.input.text.replace(/(?:^|\s)\/[a-z0-9_-]{0,40}$/i, (m) => (m.startsWith('/') ? '' : (m[0] ?? '')));
      const conversation = await findConversationDetail(db, conversationId);
      const channel = conversation ? await findChannel(db, conversation.channelId) : undefined;
      const connector = channel ? connectors.of(channel.kind) : undefined;
      res.render('partials/replies/composer', {
        composerText: typed.trim() ? `${typed.trimEnd()}\n${filled.text}` : filled.text,
        cannedId: filled.canned.id,
        unknownVariables: filled.unknown,
        maxTextLength: channel && connector ? connector.limits(channel).maxTextLength : null,
        conversation: { id: conversationId },
      });
    },
  );

  const manage = requirePermission('canned.manage');
  const settingsPage = async (_req: Request, res: Response) => {
    res.render('settings-canned-responses', { responses: await listCanned(db) });
  };
  const done = (_req: Request, res: Response) => res.redirect(303, '/settings/canned-responses');

  router.get('/settings/canned-responses', manage, settingsPage);
  router.post('/settings/canned-responses', manage, rerenderForm('canned-new', settingsPage), validate(cannedInput, cannedForm), async (req, res) => {
    await db.transaction().execute((tx) => createCannedResponse(tx, res.locals.input, actingUser(req)));
    done(req, res);
  });
  router.post(
    '/settings/canned-responses/:cannedId',
    manage,
    rerenderForm((req) => `canned-${pathId(req, 'cannedId')}`, settingsPage),
    validate(cannedEditInput, cannedForm),
    async (req, res) => {
      await db.transaction().execute((tx) => editCannedResponse(tx, res.locals.input, actingUser(req)));
      done(req, res);
    },
  );
  router.post(
    '/settings/canned-responses/:cannedId/retire',
    manage,
    rerenderForm((req) => `canned-${pathId(req, 'cannedId')}`, settingsPage),
    async (req, res) => {
      await db.transaction().execute((tx) => retireCannedResponse(tx, pathId(req, 'cannedId'), actingUser(req)));
      done(req, res);
    },
  );

  return router;
}
