/** An admin invites a person: the account exists without a password until they set one through the invitation link. */
import { z } from 'zod';
import type { Tx } from '../../db/client';
import { appendAudit } from '../../db/repositories/audit.repo';
import { findUserByEmail, insertUser } from '../../db/repositories/users.repo';
import { Conflict } from '../../errors';
import type { Actor } from '../audit/actor';
import { parseInput } from '../parseInput';
import { ROLES } from './createUser';
import { issuePasswordLink } from './passwordLinks';

export const inviteInput = z.object({
  email: z
    .email()
    .max(254)
    .transform((e) => e.toLowerCase()),
  name: z.string().trim().min(1).max(120),
  role: z.enum(ROLES),
  locale: z.enum(['de', 'en']).default('de'),
});

export async function inviteUser(tx: Tx, raw: z.input<typeof inviteInput>, actor: Actor) {
  const input = parseInput(inviteInput, raw, 'invitation');
  if (await findUserByEmail(tx, input.email)) throw new Conflict(`A user with the e-mail ${input.email} already exists`, { fields: { email: 'taken' } });
  const user = await insertUser(tx, { ...input, passwordHash: null });
  const link = await issuePasswordLink(tx, user.id, 'invitation', actor.id);
  await appendAudit(tx, {
    actor,
    action: 'user.invited',
    subjectType: 'user',
    subjectId: user.id,
    after: { email: user.email, name: user.name, role: user.role, locale: user.locale, expiresAt: link.expiresAt.toISOString() },
  });
  return { user, link };
}
