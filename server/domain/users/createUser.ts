/** Creating a user account: validated, password hashed, audited without the secret. */
import { z } from 'zod';
import { hashPassword } from '../../crypto/tokens';
import type { Tx } from '../../db/client';
import { appendAudit } from '../../db/repositories/audit.repo';
import { findUserByEmail, insertUser } from '../../db/repositories/users.repo';
import type { Role } from '../../db/schema';
import { Conflict } from '../../errors';
import type { Actor } from '../audit/actor';
import { parseInput } from '../parseInput';
import { newPasswordSchema } from './passwordPolicy';

export const ROLES = ['agent', 'manager', 'auditor', 'admin'] as const satisfies readonly Role[];

export const newUserSchema = z.object({
  email: z
    .email()
    .max(254)
    .transform((e) => e.toLowerCase()),
  name: z.string().trim().min(1).max(120),
  role: z.enum(ROLES),
  password: newPasswordSchema,
  locale: z.enum(['de', 'en']).optional(),
});

export type NewUser = z.input<typeof newUserSchema>;

export async function createUser(tx: Tx, input: NewUser, actor: Actor) {
  const { password, ...user } = parseInput(newUserSchema, input, 'user');
  if (await findUserByEmail(tx, user.email)) throw new Conflict(`A user with the e-mail ${user.email} already exists`, { email: 'taken' });
  const created = await insertUser(tx, { ...user, passwordHash: await hashPassword(password) });
  await appendAudit(tx, {
    actor,
    action: 'user.created',
    subjectType: 'user',
    subjectId: created.id,
    after: { email: created.email, name: created.name, role: created.role, locale: created.locale },
  });
  return created;
}
