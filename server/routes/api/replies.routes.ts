/**
 * Reply approval for integrations (four-eyes): the replies waiting for approval, and an approver's decision —
 * approve (optionally with an edited text; it is then sent like any reply) or reject with a note. Approvers
 * only (managers and people allowed to approve); nobody decides on their own reply.
 */
import { Router } from 'express';
import { z } from 'zod';
import { listPendingApprovals } from '../../db/repositories/replyApprovals.repo';
import { approveInput, approveReply, rejectInput, rejectReply } from '../../domain/replies/decideReply';
import { inTransaction } from '../../domain/effects';
import { parseInput } from '../../domain/parseInput';
import { requireApprover } from '../../middleware/auth';
import { bodyWithId, uuidParam, validate } from '../../middleware/validate';
import { presentPendingApprovalJson } from '../../presenters/approval.presenter';
import type { Services } from '../../services';
import { approverOf } from '../actor';

const listQuery = z.object({ state: z.literal('pending_approval') });

export function replyApiRoutes({ db, dispatcher, connectors }: Services): Router {
  const router = Router();
  router.use('/replies', requireApprover);
  router.param('id', uuidParam('Reply'));
  const withId = bodyWithId('messageId');

  router.get('/replies', async (req, res) => {
    parseInput(listQuery, req.query, 'query');
    const now = new Date();
    const rows = await listPendingApprovals(db);
    res.json({ replies: rows.map((r) => presentPendingApprovalJson(r, req.user!.id, now)) });
  });

  router.post('/replies/:id/approve', validate(approveInput, withId), async (req, res) => {
    res.json(await inTransaction(db, dispatcher, (tx, effects) => approveReply(tx, effects, res.locals.input, approverOf(req), connectors)));
  });

  router.post('/replies/:id/reject', validate(rejectInput, withId), async (req, res) => {
    res.json(await inTransaction(db, dispatcher, (tx, effects) => rejectReply(tx, effects, res.locals.input, approverOf(req))));
  });

  return router;
}
