/**
 * Invitation and password-reset links. The token travels only in the link (shown to the admin, and e-mailed
 * when SMTP is configured); the database keeps its SHA-256. A link works once, until it expires, and only
 * while it is the user's newest: issuing a new one revokes the older ones. The password set through it
 * passes the password policy; no password ever travels by e-mail.
 */
import { z } from 'zod';
import { hashPassword, hashToken, newToken } from '../../crypto/tokens';
import type { Tx } from '../../db/client';
import { appendAudit } from '../../db/repositories/audit.repo';
import { findPasswordLinkByHash, insertPasswordLink, markPasswordLinkUsed, revokeOpenPasswordLinks } from '../../db/repositories/passwordLinks.repo';
import { findUserForUpdate, setUserPasswordHash } from '../../db/repositories/users.repo';
import type { PasswordLinkPurpose } from '../../db/schema';
import { Conflict, NotFound } from '../../errors';
import { type Actor, userActor } from '../audit/actor';
import { parseInput } from '../parseInput';
import { newPasswordSchema } from './passwordPolicy';

/** How long a link works: an invitation a week (people are on leave), a reset a day. */
export const LINK_LIFETIME_HOURS: Record<PasswordLinkPurpose, number> = { invitation: 7 * 24, reset: 24 };

export const PASSWORD_LINK_PATH = '/password';

export type LinkState = 'open' | 'used' | 'revoked' | 'expired';

/** What a stored link is worth at `now`. A used link stays used after it expires. */
export function linkState(link: { usedAt: Date | null; revokedAt: Date | null; expiresAt: Date }, now: Date): LinkState {
  if (link.usedAt) return 'used';
  if (link.revokedAt) return 'revoked';
  return link.expiresAt.getTime() > now.getTime() ? 'open' : 'expired';
}

export type IssuedLink = { token: string; expiresAt: Date; purpose: PasswordLinkPurpose };

/** A new link for the user; their older open links stop working. The caller audits what it is for. */
export async function issuePasswordLink(tx: Tx, userId: string, purpose: PasswordLinkPurpose, createdBy: string | null): Promise<IssuedLink> {
  await revokeOpenPasswordLinks(tx, userId);
  const token = newToken('rlp');
  const expiresAt = new Date(Date.now() + LINK_LIFETIME_HOURS[purpose] * 3600_000);
  await insertPasswordLink(tx, { userId, purpose, tokenHash: hashToken(token), createdBy, expiresAt });
  return { token, expiresAt, purpose };
}

/** An admin's "reset password": a reset link for an active user. The current password keeps working until a new one is set. */
export async function issuePasswordReset(tx: Tx, userId: string, actor: Actor): Promise<IssuedLink> {
  const user = await findUserForUpdate(tx, userId);
  if (!user) throw new NotFound('User');
  if (user.deactivatedAt) throw new Conflict(`${user.email} is deactivated; reactivate the account first`, { fields: { user: 'deactivated' } });
  const link = await issuePasswordLink(tx, user.id, user.passwordHash ? 'reset' : 'invitation', actor.id);
  await appendAudit(tx, {
    actor,
    action: 'user.password_link_issued',
    subjectType: 'user',
    subjectId: user.id,
    after: { purpose: link.purpose, expiresAt: link.expiresAt.toISOString() },
  });
  return link;
}

/** Whom an open link belongs to (for the "set your password" page); anything else is a 404 that says nothing more. */
export async function openPasswordLink(tx: Tx, token: string) {
  const link = await findPasswordLinkByHash(tx, hashToken(token));
  if (!link || link.deactivatedAt || linkState(link, new Date()) !== 'open') throw new NotFound('Password link');
  return link;
}

export const setPasswordInput = z
  .object({ token: z.string().min(1).max(200), password: newPasswordSchema, confirm: z.string().max(1000) })
  .refine((v) => v.password === v.confirm, {
    path: ['confirm'],
    message: 'does not match the password',
    params: { code: 'mismatch' },
  });

/** The invitee (or a user after a reset) sets their password through the link; the link is used up. */
export async function setPasswordWithLink(tx: Tx, raw: z.input<typeof setPasswordInput>, ip: string | null) {
  const { token, password } = parseInput(setPasswordInput, raw, 'password');
  const link = await openPasswordLink(tx, token);
  await markPasswordLinkUsed(tx, link.id);
  await setUserPasswordHash(tx, link.userId, await hashPassword(password));
  await appendAudit(tx, {
    actor: userActor({ id: link.userId, email: link.email }, ip),
    action: 'user.password_set',
    subjectType: 'user',
    subjectId: link.userId,
    after: { through: link.purpose },
  });
  return { email: link.email };
}
