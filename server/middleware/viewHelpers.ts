/** What every console view may ask: `can('permission')` for the signed-in user, and `forms` (no refused form yet). */
import type { NextFunction, Request, Response } from 'express';
import { can, type Permission } from '../domain/auth/permissions';
import { formView } from '../presenters/form.presenter';

export function exposeViewHelpers(req: Request, res: Response, next: NextFunction) {
  const role = req.user?.role;
  res.locals.can = (permission: Permission) => role !== undefined && can(role, permission);
  res.locals.forms = formView(null);
  next();
}
