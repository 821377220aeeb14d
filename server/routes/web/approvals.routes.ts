/**
 * The approvers' queue (four-eyes): replies waiting for approval, most urgent SLA deadline first, each with an
 * editable text, "approve" (sends the text as it stands) and "reject" with a note. Only for approvers; the
 * navigation's count refreshes live. Decisions are domain/replies/decideReply.ts.
 */
import { type Request, type Response, Router } from 'express';
import { countPendingApprovals, listPendingApprovals } from '../../db/repositories/replyApprovals.repo';
import { approveInput, approveReply, rejectInput, rejectReply } from '../../domain/replies/decideReply';
import { inTransaction } from '../../domain/effects';
import { requireApprover } from '../../middleware/auth';
import { rerenderForm } from '../../middleware/errors';
import { bodyWithId, uuidParam, validate } from '../../middleware/validate';
import { presentPendingApproval } from '../../presenters/approval.presenter';
import type { Services } from '../../services';
import { approverOf } from '../actor';

const PAGE = '/approvals';

export function approvalRoutes(services: Services): Router {
  const { db, dispatcher, connectors } = services;
  const router = Router();
  router.use(PAGE, requireApprover);
  router.param('id', uuidParam('Reply'));
  const withId = bodyWithId('messageId');

  async function page(req: Request, res: Response) {
    const now = new Date();
    const rows = await listPendingApprovals(db);
    res.render('approvals', { approvals: rows.map((r) => presentPendingApproval(r, req.user!.id, now)), decided: req.query.decided ?? null });
  }
  const refused = (form: string) => rerenderForm((req) => `${form}-${String(req.params.id)}`, page);

  router.get(PAGE, page);
  router.get(`${PAGE}/count`, async (_req, res) => {
    res.render('partials/approvals/nav-link', { pending: await countPendingApprovals(db) });
  });
  router.post(`${PAGE}/:id/approve`, refused('approve'), validate(approveInput, withId), async (req, res) => {
    await inTransaction(db, dispatcher, (tx, effects) => approveReply(tx, effects, res.locals.input, approverOf(req), connectors));
    res.redirect(303, `${PAGE}?decided=approved`);
  });
  router.post(`${PAGE}/:id/reject`, refused('reject'), validate(rejectInput, withId), async (req, res) => {
    await inTransaction(db, dispatcher, (tx, effects) => rejectReply(tx, effects, res.locals.input, approverOf(req)));
    res.redirect(303, `${PAGE}?decided=rejected`);
  });
  return router;
}
