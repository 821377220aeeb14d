/** What every console view may ask: `can('permission')` for the signed-in user, `approver`, and `forms` (no refused form yet). */
import type { NextFunction, Request, Response } from 'express';
import { can, type Permission } from '../domain/auth/permissions';
import { isApprover } from '../domain/replies/approvalPolicy';
import { formView } from '../presenters/form.presenter';

export function exposeViewHelpers(req: Request, res: Response, next: NextFunction) {
  const role = req.user?.role;
  res.locals.can = (permission: Permission) => role !== undefined && can(role, permission);
  res.locals.forms = formView(null);
  // managers and the people named to approve replies see the approvers' queue in the navigation
  res.locals.approver = req.user ? isApprover(req.user) : false;
  next();
}
