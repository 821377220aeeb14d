/**
 * Synchroniser-token CSRF protection for the console: every state-changing request must echo the
 * session's token in the form field `_csrf` or the `x-csrf-token` header (htmx sends the header).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { HttpError } from '../errors';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function csrfToken(req: Request): string {
  req.session.csrfToken ??= randomBytes(24).toString('base64url');
  return req.session.csrfToken;
}

export function csrfProtection(req: Request, res: Response, next: NextFunction) {
  res.locals.csrfToken = csrfToken(req);
  if (SAFE_METHODS.has(req.method)) return next();
  const sent = (req.body as { _csrf?: unknown } | undefined)?._csrf ?? req.get('x-csrf-token');
  const expected = Buffer.from(res.locals.csrfToken as string);
  if (typeof sent !== 'string' || sent.length !== expected.length || !timingSafeEqual(Buffer.from(sent), expected)) {
    throw new HttpError(403, 'The form expired or did not come from this console. Reload the page and try again.');
  }
  next();
}
