/** Who is asking: a session user (console) or a bearer-token user (API); and may they. */
import type { NextFunction, Request, Response } from 'express';
import { hashToken } from '../crypto/tokens';
import type { Db } from '../db/client';
import { findApiTokenByHash, findUserById, touchApiToken } from '../db/repositories/users.repo';
import type { Locale, Role } from '../db/schema';
import { can, type Permission } from '../domain/auth/permissions';
import { assertApprover } from '../domain/replies/approvalPolicy';
import { Forbidden, Unauthorized } from '../errors';
import type { AccessCopies } from './accessCopies';
import { isHtmx } from './htmx';

/** `mayApproveReplies` (025): named to approve replies waiting for approval (managers approve anyway). */
export type CurrentUser = { id: string; email: string; name: string; role: Role; locale: Locale; mayApproveReplies: boolean };

declare module 'express-session' {
  interface SessionData {
    userId?: string;
    csrfToken?: string;
  }
}

declare global {
  namespace Express {
    interface Request {
      user?: CurrentUser;
    }
  }
}

/**
 * Whether a request may be answered on a copy of who is signed in (accessCopies.ts): a page read. Not a request that
 * may change something (any method but GET and HEAD), the live stream (it outlives a copy) or an export (it hands
 * out data in bulk, and is audited).
 */
export function mayUseCopies(req: Request): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  // as the router matches: any case, a trailing slash
  const path = req.path.toLowerCase().replace(/\/+$/, '');
  return path !== '/events' && !/\/export\.\w+$/.test(path);
}

export function requireSessionUser(db: Db, copies: AccessCopies) {
  return async (req: Request, res: Response, next: NextFunction) => {
    const userId = req.session.userId;
    const user = userId ? await signedInUser(db, copies, userId, mayUseCopies(req)) : undefined;
    if (!user) {
      // A session read from a copy must not send /login back here (it redirects whoever it takes as signed in).
      if (userId) copies.changed(userId);
      if (isHtmx(req)) {
        res.set('HX-Redirect', '/login').status(401).end();
        return;
      }
      res.redirect(`/login?next=${encodeURIComponent(req.originalUrl)}`);
      return;
    }
    req.user = user;
    res.locals.user = req.user;
    next();
  };
}

async function signedInUser(db: Db, copies: AccessCopies, id: string, copyWillDo: boolean): Promise<CurrentUser | undefined> {
  const copy = copyWillDo ? copies.user(id) : undefined;
  if (copy) return copy;
  const began = copies.readBegins();
  const user = await activeUser(db, id);
  if (user) copies.keepUser(user, began);
  return user;
}

/** The person as PostgreSQL has them now, if they may still use the console. */
export async function activeUser(db: Db, id: string): Promise<CurrentUser | undefined> {
  const found = await findUserById(db, id);
  // A deactivated user's sessions are deleted with the deactivation; a request already under way is refused here.
  if (!found || found.deactivatedAt) return undefined;
  return { id: found.id, email: found.email, name: found.name, role: found.role, locale: found.locale, mayApproveReplies: found.mayApproveReplies };
}

/** last_used_at is written at most this often per token, not on every request. */
export const TOKEN_TOUCH_EVERY_MS = 5 * 60_000;

export function requireApiUser(db: Db) {
  return async (req: Request, _res: Response, next: NextFunction) => {
    const token = bearerToken(req);
    const found = token ? await findApiTokenByHash(db, hashToken(token)) : undefined;
    if (!found) throw new Unauthorized('A valid user API token is required (Authorization: Bearer <token>)');
    if (found.revokedAt) throw new Unauthorized('This API token was revoked');
    if (found.deactivatedAt) throw new Unauthorized('The account of this API token was deactivated');
    if (found.expiresAt.getTime() <= Date.now()) throw new Unauthorized('This API token has expired');
    if (!found.lastUsedAt || Date.now() - found.lastUsedAt.getTime() >= TOKEN_TOUCH_EVERY_MS) await touchApiToken(db, found.tokenId, TOKEN_TOUCH_EVERY_MS);
    req.user = { id: found.id, email: found.email, name: found.name, role: found.role, locale: found.locale, mayApproveReplies: found.mayApproveReplies };
    next();
  };
}

/** Only roles `allowed` passes go on; everyone else gets a 403 before the body is even read. */
export function requireRole(allowed: (role: Role) => boolean) {
  return (req: Request, _res: Response, next: NextFunction) => {
    if (!req.user || !allowed(req.user.role)) throw new Forbidden();
    next();
  };
}

export function requirePermission(permission: Permission) {
  return requireRole((role) => can(role, permission));
}

/** Managers and the people named to approve replies (domain/replies/approvalPolicy.ts). */
export function requireApprover(req: Request, _res: Response, next: NextFunction) {
  assertApprover(req.user ?? { role: 'auditor', mayApproveReplies: false });
  next();
}

export function bearerToken(req: Request): string | null {
  const header = req.get('authorization') ?? '';
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match?.[1] ?? null;
}
