/**
 * CSRF protection for the console: every state-changing request must echo a token in the form field
 * `_csrf` or the `x-csrf-token` header (htmx sends the header).
 * - Signed in: the synchroniser token kept in the user's session.
 * - Not signed in (the sign-in form, the language switch): a visitor gets no session, so no row in the
 *   session table. A signed double-submit cookie instead: `rl_csrf` holds a random value, the form
 *   carries HMAC(SESSION_SECRET, value). Another site can neither read the cookie nor forge the HMAC.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { LocalizedForbidden } from '../errors';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * A signed-in session's token, made at sign-in: the session then stays as it was saved until it ends, so no web
 * process's copy of it (accessCopies.ts) can lack it. (Sessions from before made theirs on their first request.)
 */
export const newCsrfToken = () => randomBytes(24).toString('base64url');

export function csrfProtection(opts: { secret: string; secureCookie: boolean }) {
  // Behind TLS the `__Host-` prefix pins the cookie to this host: a sibling subdomain cannot plant one.
  const cookieName = opts.secureCookie ? '__Host-rl_csrf' : 'rl_csrf';
  const cookieValue = new RegExp(`(?:^|;\\s*)${cookieName}=([A-Za-z0-9_-]{32})(?:;|$)`);
  const sign = (value: string) => createHmac('sha256', opts.secret).update(`csrf:${value}`).digest('base64url');

  /** The visitor's token: from their cookie, or a new cookie now. */
  const visitorToken = (req: Request, res: Response) => {
    let value = cookieValue.exec(req.get('cookie') ?? '')?.[1];
    if (!value) {
      value = randomBytes(24).toString('base64url');
      res.cookie(cookieName, value, { httpOnly: true, sameSite: 'lax', secure: opts.secureCookie, path: '/' });
    }
    return sign(value);
  };

  return (req: Request, res: Response, next: NextFunction) => {
    const expectedToken = req.session.userId ? (req.session.csrfToken ??= newCsrfToken()) : visitorToken(req, res);
    res.locals.csrfToken = expectedToken;
    if (SAFE_METHODS.has(req.method)) return next();
    // A console page (htmx sends the session's token as a header) whose session has ended: 401, so the page asks
    // the user to sign in again in place and keeps what they typed, instead of a 403 that replaces the form.
    if (!req.session.userId && req.get('x-csrf-token') && req.get('hx-request')) {
      res.status(401).end();
      return;
    }
    const sent = (req.body as { _csrf?: unknown } | undefined)?._csrf ?? req.get('x-csrf-token');
    const expected = Buffer.from(expectedToken);
    if (typeof sent !== 'string' || sent.length !== expected.length || !timingSafeEqual(Buffer.from(sent), expected)) {
      throw new LocalizedForbidden('The form expired or did not come from this console. Reload the page and try again.', (t) => t('csrf.expired'));
    }
    next();
  };
}
